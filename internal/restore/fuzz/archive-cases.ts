// Hostile and broken backup tarballs, made from a seed: each case is one kind of attack or damage
// on an otherwise valid Velero backup, so the fuzzer covers every kind in proportion.
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Prng } from './prng.ts';

export interface Entry {
  name: string;
  body?: Buffer | string;
  type?: 'file' | 'symlink' | 'link' | 'directory' | 'character-device' | 'block-device' | 'fifo';
  linkname?: string;
  pax?: Record<string, string>;
}

export interface ArchiveCase {
  kind: string;
  data: Buffer;
}

const NAMESPACES = ['shop', 'blog', 'kube-system'];
const BAD_NAMES = ['..', '.', '', 'a/b', '%2e%2e', 'x\ry', 'n\u0000ul', 'bidi\u202etxt', 'Upper', 'ü', 'a'.repeat(300), '\u2028', 'ok..ok', '-lead', 'tab\tname'];
const RESOURCES: [string, string, string, boolean][] = [
  ['configmaps', 'v1', 'ConfigMap', true],
  ['secrets', 'v1', 'Secret', true],
  ['serviceaccounts', 'v1', 'ServiceAccount', true],
  ['namespaces', 'v1', 'Namespace', false],
  ['persistentvolumes', 'v1', 'PersistentVolume', false],
  ['deployments.apps', 'apps/v1', 'Deployment', true],
  ['pods', 'v1', 'Pod', true],
];

function itemPath(gr: string, ns: string | undefined, name: string): string {
  return `resources/${gr}/${ns === undefined ? 'cluster' : `namespaces/${ns}`}/${name}.json`;
}

/** A valid backup of a few objects: the base every case damages. */
export function validEntries(rng: Prng): Entry[] {
  const entries: Entry[] = [{ name: 'metadata/version', body: '1.1.0\n' }];
  const count = 1 + rng.int(8);
  for (let i = 0; i < count; i++) {
    const [gr, apiVersion, kind, namespaced] = rng.pick(RESOURCES);
    const ns = namespaced ? rng.pick(NAMESPACES) : undefined;
    const name = `obj-${i}`;
    const object = { apiVersion, kind, metadata: { name, ...(ns ? { namespace: ns } : {}), labels: { i: String(i) } }, ...(kind === 'ConfigMap' ? { data: { k: 'v'.repeat(rng.int(200)) } } : {}) };
    entries.push({ name: itemPath(gr, ns, name), body: JSON.stringify(object) });
    entries.push({ name: itemPath(`${gr}/${apiVersion.split('/').pop()}-preferredversion`, ns, name), body: JSON.stringify(object) });
  }
  return entries;
}

function tarBytes(entries: Entry[], finalize = true): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries) {
    if (e.type && e.type !== 'file') pack.entry({ name: e.name, type: e.type, linkname: e.linkname, pax: e.pax });
    else pack.entry({ name: e.name, pax: e.pax }, e.body ?? '');
  }
  if (!finalize) return new Promise((resolve) => setImmediate(() => resolve(Buffer.concat(chunks))));
  pack.finalize();
  return done.then(() => Buffer.concat(chunks));
}

const gz = (b: Buffer) => gzipSync(b, { level: 1 });

function deep(depth: number, open: string, close: string, inner = '0'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

function badJson(rng: Prng): string {
  return rng.pick([
    () => 'null',
    () => '[]',
    () => '42',
    () => '"a string"',
    () => '{',
    () => '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": null}',
    () => '{"apiVersion": 1, "kind": [], "metadata": {"name": "x"}}',
    () => '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"obj-0","labels":"not-a-map"}}',
    () => '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"obj-0","annotations":[1]}}',
    () => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"obj-0"},"data":${deep(5000 + rng.int(50_000), '[', ']')}}`,
    () => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"obj-0"},"x":${deep(2000 + rng.int(20_000), '{"a":', '}')}}`,
    () => rng.bytes(1 + rng.int(300)).toString('latin1'),
    () => '\ufeff{"apiVersion":"v1"}',
    () => '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"obj-0","__proto__":{"polluted":true}}}',
  ])();
}

type Maker = (rng: Prng, base: Entry[]) => Promise<Buffer>;

/** Every kind of case, by name; the fuzzer draws kinds uniformly. */
export const CASE_KINDS: Record<string, Maker> = {
  traversal: async (rng, base) => {
    const name = rng.pick(['../../etc/passwd', '/etc/passwd', 'resources/../../x.json', 'C:\\x.json', 'resources\\..\\x.json', 'resources/a/\u0000.json', './../x', 'resources/configmaps/namespaces/../../../../tmp/x.json']);
    return gz(await tarBytes([...base, { name, body: '{}' }]));
  },
  links: async (rng, base) => {
    const type = rng.pick(['symlink', 'link', 'character-device', 'block-device', 'fifo'] as const);
    return gz(await tarBytes([...base, { name: `resources/configmaps/namespaces/shop/l${rng.int(9)}.json`, type, linkname: rng.pick(['/etc/passwd', '../../x', 'metadata/version']) }]));
  },
  truncation: async (rng, base) => {
    const whole = await tarBytes(base);
    if (rng.chance(0.5)) return gz(whole).subarray(0, rng.int(gz(whole).length));
    // Cut the tar at a block boundary inside a complete gzip.
    const blocks = whole.length / 512;
    return gz(whole.subarray(0, 512 * rng.int(blocks)));
  },
  'byte-flips': async (rng, base) => {
    const inner = rng.chance(0.5);
    const buf = Buffer.from(inner ? await tarBytes(base) : gz(await tarBytes(base)));
    const flips = 1 + rng.int(8);
    for (let i = 0; i < flips; i++) {
      const at = rng.int(buf.length);
      buf[at] = buf[at]! ^ (1 + rng.int(255));
    }
    return inner ? gz(buf) : buf;
  },
  bombs: async (rng, base) => {
    const choice = rng.int(3);
    if (choice === 0) return gz(await tarBytes([...base, { name: 'resources/configmaps/namespaces/shop/big.json', body: Buffer.alloc((1 + rng.int(8)) << 20, 0x20) }]));
    if (choice === 1) return gz(await tarBytes([...base, ...Array.from({ length: 3000 + rng.int(3000) }, (_, i) => ({ name: `resources/configmaps/namespaces/shop/e${i}.json`, body: '' }))]));
    return gz(await tarBytes([...base, ...Array.from({ length: 20 }, (_, i) => ({ name: `resources/secrets/namespaces/shop/z${i}.json`, body: Buffer.alloc(1 << 20, 0x61) }))]));
  },
  'huge-headers': async (rng, base) => {
    const long = `resources/configmaps/namespaces/shop/${'n'.repeat(1000 + rng.int(1 << 20))}.json`;
    return gz(await tarBytes([...base, rng.chance(0.5) ? { name: long, body: '{}' } : { name: 'resources/configmaps/namespaces/shop/p.json', body: '{}', pax: { comment: 'c'.repeat(1 << 20), 'x.custom': '\u202e' } }]));
  },
  'bad-json': async (rng, base) => {
    const [gr, , , namespaced] = rng.pick(RESOURCES);
    return gz(await tarBytes([...base, { name: itemPath(gr, namespaced ? 'shop' : undefined, 'obj-0'), body: badJson(rng) }]));
  },
  'bad-names': async (rng, base) => {
    const name = rng.pick(BAD_NAMES);
    const [gr, apiVersion, kind, namespaced] = rng.pick(RESOURCES);
    const ns = namespaced ? (rng.chance(0.5) ? rng.pick(BAD_NAMES) : 'kube-system') : undefined;
    const body = JSON.stringify({ apiVersion, kind, metadata: { name, ...(ns !== undefined ? { namespace: ns } : {}), labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
    return gz(await tarBytes([...base, { name: itemPath(gr, ns, name), body }]));
  },
  'identity-mismatch': async (rng, base) => {
    const [gr, , , namespaced] = rng.pick(RESOURCES);
    const [, apiVersion, kind] = rng.pick(RESOURCES);
    const ns = namespaced ? 'shop' : undefined;
    const body = JSON.stringify({ apiVersion: rng.chance(0.3) ? rng.pick(['rbac.authorization.k8s.io/v1', 'v1/../../x', 'apps/v1?x=y', '']) : apiVersion, kind, metadata: { name: rng.chance(0.5) ? 'obj-0' : 'other', namespace: rng.pick(['kube-system', 'shop', '..']) } });
    return gz(await tarBytes([...base, { name: itemPath(gr, rng.chance(0.2) ? (ns ? undefined : 'shop') : ns, 'obj-0'), body }]));
  },
  'version-file': async (rng, base) => {
    const body = rng.pick(['9.9.9', '', 'v'.repeat(1 << 20), '1.1.0\u202e', '1\r\n1.1.0']);
    return gz(await tarBytes([{ name: 'metadata/version', body }, ...base.slice(1)]));
  },
  'not-gzip': async (rng) => rng.bytes(rng.int(4096)),
};
