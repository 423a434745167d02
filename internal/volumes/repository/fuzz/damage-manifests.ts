// Damages to snapshot manifests (`snapshots/<id>.json`: id, meta, sizes, the chunk list):
// unparseable, the wrong shape, chunks that do not exist or are not ids, names that climb out of
// the repository or hold control characters, sizes no volume has, a list of hundreds of
// thousands of chunks, a manifest stored under another snapshot's name.
import { badJsonText } from './damage-indexes.ts';
import { type DamageContext, type Damage, deepJson, editJson, flipBytes, hex, pickSnapshot, snapshotKey } from './damage-kit.ts';

function aManifest(ctx: DamageContext) {
  const snapshot = pickSnapshot(ctx);
  const key = snapshotKey(snapshot.id);
  return { snapshot, key, value: ctx.files.json(key) as { id: unknown; meta: Record<string, unknown>; totalBytes: unknown; chunks: unknown; chunkList: unknown[][] } };
}

const META_FIELDS = ['backup', 'namespace', 'pod', 'volume'];

export const MANIFEST_DAMAGES: Record<string, Damage> = {
  'manifest-bad-json': (ctx) => {
    const { key } = aManifest(ctx);
    ctx.files.write(key, badJsonText(ctx.rng, ctx.files.read(key).toString('utf8')));
  },
  'manifest-null': (ctx) => ctx.files.write(aManifest(ctx).key, ctx.rng.pick(['null', '[]', '0', '"snapshot"', 'true', '{}'])),
  'manifest-empty-file': (ctx) => ctx.files.write(aManifest(ctx).key, ''),
  'manifest-missing-field': (ctx) => {
    const { key } = aManifest(ctx);
    const field = ctx.rng.pick(['id', 'meta', 'totalBytes', 'created', 'chunks', 'chunkList', ...META_FIELDS.map((f) => `meta.${f}`)]);
    editJson(ctx.files, key, (v) => void (field.startsWith('meta.') ? delete v.meta[field.slice(5)] : delete v[field]));
  },
  'manifest-wrong-types': (ctx) => {
    const { key, value } = aManifest(ctx);
    const at = ctx.rng.int(Math.max(1, value.chunkList.length));
    const edits: ((v: any) => unknown)[] = [
      (v) => void (v.id = 5),
      (v) => void (v.meta = []),
      (v) => void (v.meta = 'b1'),
      (v) => void (v.meta.backup = { name: 'b1' }),
      (v) => void (v.totalBytes = String(v.totalBytes)),
      (v) => void (v.chunks = null),
      (v) => void (v.created = 0),
      (v) => void (v.chunkList = {}),
      (v) => void (v.chunkList = 'abc'),
      (v) => void (v.chunkList = v.chunkList.map(([id, size]: [string, number]) => ({ id, size }))),
      (v) => void (v.chunkList[at] = v.chunkList[at] ? [v.chunkList[at][0]] : 0),
      (v) => void (v.chunkList[at] = v.chunkList[at] ? [v.chunkList[at][0], String(v.chunkList[at][1])] : 0),
      (v) => void (v.chunkList[at] = null),
      (v) => v.chunkList,
    ];
    editJson(ctx.files, key, ctx.rng.pick(edits));
  },
  'manifest-missing-chunk': (ctx) => {
    const { key } = aManifest(ctx);
    editJson(ctx.files, key, (v) => {
      if (!v.chunkList.length) v.chunkList.push([hex(ctx.rng, 32), 0]);
      else v.chunkList[ctx.rng.int(v.chunkList.length)][0] = hex(ctx.rng, 32);
    });
  },
  'manifest-chunk-id-form': (ctx) => {
    const { key } = aManifest(ctx);
    editJson(ctx.files, key, (v) => {
      if (!v.chunkList.length) v.chunkList.push([hex(ctx.rng, 32), 0]);
      const entry = v.chunkList[ctx.rng.int(v.chunkList.length)];
      const id = String(entry[0]);
      entry[0] = ctx.rng.pick<unknown>(['../x', '', 'Z'.repeat(64), id.toUpperCase(), id.slice(1), `${id}/../x`, 123, null, `/${id}`, `${id}\u202e`]);
    });
  },
  'manifest-path-traversal': (ctx) => {
    const { key, snapshot } = aManifest(ctx);
    const name = ctx.rng.pick(['../x', '/abs/x', 'a/../../b', '..', '../../config', '/etc/passwd', `../${snapshot.id}`, '.']);
    if (ctx.rng.chance(0.4)) editJson(ctx.files, key, (v) => void (v.id = name));
    else editJson(ctx.files, key, (v) => void (v.meta[ctx.rng.pick(META_FIELDS)] = name));
  },
  'manifest-control-chars': (ctx) => {
    const { key } = aManifest(ctx);
    const name = ctx.rng.pick(['db\u001b[31m-0', 'x\u202ey', 'a\nb', 'tab\there', 'nul\u0000', 'line\u2028sep']);
    editJson(ctx.files, key, (v) => void (v.meta[ctx.rng.pick(META_FIELDS)] = name));
  },
  'manifest-huge-sizes': (ctx) => {
    const { key, value } = aManifest(ctx);
    const huge = ctx.rng.pick(['9007199254740992', '1e300', '1e400', '-1', '1.5', '1099511627776']);
    const marker = 987654321987;
    if (ctx.rng.chance(0.5) || !value.chunkList.length) value.totalBytes = marker;
    else value.chunkList[ctx.rng.int(value.chunkList.length)]![1] = marker;
    ctx.files.write(key, JSON.stringify(value).replace(String(marker), huge));
  },
  'manifest-deep-nesting': (ctx) => {
    const { key, value } = aManifest(ctx);
    const deep = deepJson(2_000 + ctx.rng.int(30_000), ctx.rng.chance(0.5));
    const field = ctx.rng.pick(['chunkList', 'meta', 'totalBytes']);
    ctx.files.write(key, JSON.stringify({ ...value, [field]: 0 }).replace(`"${field}":0`, `"${field}":${deep}`));
  },
  /** Millions of chunks claimed, or tens of thousands listed: refused or failed fast, memory bounded. */
  'manifest-million-chunks': (ctx) => {
    const { key, value, snapshot } = aManifest(ctx);
    const variant = ctx.rng.int(3);
    if (variant === 0) value.chunks = 1_000_000 + ctx.rng.int(9_000_000);
    else {
      const count = 2_000 + ctx.rng.int(20_000);
      // A chunk that is not stored, consistently counted; or a stored one, with the sizes as written.
      const entry = variant === 1 ? [hex(ctx.rng, 32), 4096] : [snapshot.chunkList[0] ?? hex(ctx.rng, 32), 4096];
      value.chunkList = Array.from({ length: count }, () => entry);
      if (variant === 1) {
        value.chunks = count;
        value.totalBytes = count * 4096;
      }
    }
    ctx.files.writeJson(key, value);
  },
  'manifest-id-mismatch': (ctx) => {
    const { key, value, snapshot } = aManifest(ctx);
    if (ctx.rng.chance(0.5)) {
      // A copy under a new name: two objects say they are the same snapshot.
      ctx.files.write(snapshotKey(hex(ctx.rng, 16)), ctx.files.read(key));
    } else {
      const other = ctx.base.snapshots.find((s) => s.id !== snapshot.id)!;
      ctx.files.writeJson(key, { ...value, id: other.id });
    }
  },
  'manifest-byte-flips': (ctx) => {
    const { key } = aManifest(ctx);
    const bytes = ctx.files.read(key);
    ctx.files.write(key, flipBytes(bytes, ctx.rng, 0, bytes.length, 1 + ctx.rng.int(3)));
  },
};
