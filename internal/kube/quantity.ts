// Kubernetes resource quantities (k8s.io/apimachinery resource.ParseQuantity): a signed decimal
// number with a binary (Ki…Ei), decimal (n, u, m, k, M, G, T, P, E) or exponent (e3, E-2) suffix.
// Parsed strictly — what the API server would refuse is undefined — into a plain number, exact
// for the sizes volumes have.

const SUFFIXES: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]*))$/;

export function parseQuantity(text: string): number | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  if (m[2] !== undefined) return value * 10 ** Number(m[2].slice(1));
  const factor = SUFFIXES[m[3] ?? ''];
  return factor === undefined ? undefined : value * factor;
}
