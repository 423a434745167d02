// Kubernetes label selectors as Velero's CLI handles them: `-l` text parsed into a LabelSelector
// (matchLabels + matchExpressions, as metav1.ParseToLabelSelector does), formatted back to text
// for LIST requests and `backup get`, and matched against labels (for namespaces).
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export class BadSelectorError extends Error {
  constructor(text: string, why: string) {
    super(`invalid label selector "${text}": ${why}`);
  }
}

/** Splits on commas that are not inside `( … )`. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function parseLabelSelector(text: string): LabelSelector {
  const selector: LabelSelector = {};
  const add = (req: LabelSelectorRequirement) => (selector.matchExpressions ??= []).push(req);
  for (const part of splitRequirements(text)) {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=()]+)\s+(in|notin)\s*\((.*)\)$/.exec(part))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      if (values.some((v) => !VALUE.test(v))) throw new BadSelectorError(text, `bad value in "${part}"`);
      add({ key: check(m[1]!, text), operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(part))) {
      add({ key: check(m[1]!, text), operator: 'NotIn', values: [checkValue(m[2]!, text)] });
    } else if ((m = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(part))) {
      (selector.matchLabels ??= {})[check(m[1]!, text)] = checkValue(m[2]!, text);
    } else if ((m = /^!\s*(\S+)$/.exec(part))) {
      add({ key: check(m[1]!, text), operator: 'DoesNotExist' });
    } else if (KEY.test(part)) {
      add({ key: part, operator: 'Exists' });
    } else throw new BadSelectorError(text, `cannot parse "${part}"`);
  }
  return selector;
}

function check(key: string, text: string): string {
  if (!KEY.test(key)) throw new BadSelectorError(text, `bad key "${key}"`);
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value) || value.length > 63) throw new BadSelectorError(text, `bad value "${value}"`);
  return value;
}

/** Velero's --or-selector: selectors joined by " or ". */
export function parseOrSelectors(text: string): LabelSelector[] {
  return text.split(' or ').map((s) => parseLabelSelector(s.trim()));
}

interface Requirement {
  key: string;
  op: '=' | 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

function requirements(selector: LabelSelector): Requirement[] {
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) out.push({ key, op: '=', values: [value] });
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin' : e.operator === 'Exists' ? 'exists' : '!';
    out.push({ key: e.key, op, values: [...(e.values ?? [])].sort() });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The selector as text for `labelSelector=` (labels.Selector.String(): `a=b`, `c in (d)`, `e notin (f)`); "" when empty. */
export function selectorToString(selector: LabelSelector | undefined): string {
  if (!selector) return '';
  return requirements(selector)
    .map((r) => {
      if (r.op === 'exists') return r.key;
      if (r.op === '!') return `!${r.key}`;
      if (r.op === '=') return `${r.key}=${r.values[0]}`;
      return `${r.key} ${r.op} (${r.values.join(',')})`;
    })
    .join(',');
}

/** metav1.FormatLabelSelector: `<none>` for no selector. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  return selectorToString(selector) || '<none>';
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  return requirements(selector).every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
      case 'in':
        return has && r.values.includes(labels[r.key]!);
      case 'notin':
        return !has || !r.values.includes(labels[r.key]!);
    }
  });
}
