// Damages to pack indexes (`index/<pack>.json`: the pack's id and each blob's [chunk id, offset,
// length]): unparseable, the wrong shape, numbers out of range, entries that point nowhere or at
// the wrong bytes, ids listed twice, names that climb out of the repository, and a very long one.
import type { Prng } from '../../../restore/fuzz/prng.ts';
import { type DamageContext, type Damage, deepJson, editJson, hex, indexKey, pickPack, pickTwoPacks } from './damage-kit.ts';

/** One pack's index key and parsed value. */
function anIndex(ctx: DamageContext) {
  const pack = pickPack(ctx);
  const key = indexKey(pack.id);
  return { pack, key, value: ctx.files.json(key) as { pack: unknown; blobs: unknown[][] } };
}

function packLength(pack: { blobs: [string, number, number][] }): number {
  const last = pack.blobs[pack.blobs.length - 1]!;
  return last[1] + last[2];
}

export function badJsonText(rng: Prng, valid: string): string | Buffer {
  return rng.pick<() => string | Buffer>([
    () => valid.slice(0, rng.int(valid.length)),
    () => `${valid},`,
    () => `\uFEFF${valid}`,
    () => valid.replace(/[\]}]$/, ''),
    () => valid.replace(/"/, "'"),
    () => rng.bytes(1 + rng.int(200)),
    () => '{"pack": "\u0000\u001b[2J',
    () => 'undefined',
    () => 'NaN',
  ])();
}

/** An entry's number replaced in the JSON text, for values JSON.stringify cannot write (1e400). */
function withNumberText(ctx: DamageContext, which: 1 | 2, text: string): void {
  const { key, value } = anIndex(ctx);
  const at = ctx.rng.int(value.blobs.length);
  const marker = 987654321987;
  value.blobs[at]![which] = marker;
  ctx.files.write(key, JSON.stringify(value).replace(String(marker), text));
}

export const INDEX_DAMAGES: Record<string, Damage> = {
  'index-bad-json': (ctx) => {
    const { key } = anIndex(ctx);
    ctx.files.write(key, badJsonText(ctx.rng, ctx.files.read(key).toString('utf8')));
  },
  'index-null': (ctx) => ctx.files.write(anIndex(ctx).key, 'null'),
  'index-empty-file': (ctx) => ctx.files.write(anIndex(ctx).key, ''),
  'index-wrong-types': (ctx) => {
    const { key, value } = anIndex(ctx);
    const entry = ctx.rng.int(value.blobs.length);
    const edits: ((v: any) => unknown)[] = [
      (v) => void (v.pack = 12345),
      (v) => void (v.pack = null),
      (v) => void (v.blobs = {}),
      (v) => void (v.blobs = 'not a list'),
      (v) => void (v.blobs = null),
      (v) => void delete v.blobs,
      (v) => void (v.blobs[entry] = { id: v.blobs[entry][0], offset: v.blobs[entry][1], length: v.blobs[entry][2] }),
      (v) => void (v.blobs[entry][1] = String(v.blobs[entry][1])),
      (v) => void (v.blobs[entry][2] = true),
      (v) => void (v.blobs[entry] = [v.blobs[entry][0]]),
      (v) => void (v.blobs[entry] = null),
      (v) => void (v.blobs[entry] = 7),
      (v) => [v.pack, v.blobs],
      () => 'a string',
      () => 42,
    ];
    editJson(ctx.files, key, ctx.rng.pick(edits));
  },
  'index-offset-out-of-range': (ctx) => {
    const { key, value, pack } = anIndex(ctx);
    const at = ctx.rng.int(value.blobs.length);
    value.blobs[at]![1] = ctx.rng.pick([packLength(pack) + ctx.rng.int(1 << 20), 2 ** 31, 2 ** 32 + 5, 2 ** 52]);
    ctx.files.writeJson(key, value);
  },
  'index-length-out-of-range': (ctx) => {
    const { key, value, pack } = anIndex(ctx);
    const at = ctx.rng.int(value.blobs.length);
    value.blobs[at]![2] = ctx.rng.pick([packLength(pack) * 2, 1 << 24, 2 ** 31, 2 ** 40, 2 ** 52]);
    ctx.files.writeJson(key, value);
  },
  'index-overlapping': (ctx) => {
    const { key, value } = anIndex(ctx);
    if (value.blobs.length < 2) {
      value.blobs.push([value.blobs[0]![0], 1, value.blobs[0]![2]]);
    } else {
      const at = 1 + ctx.rng.int(value.blobs.length - 1);
      const before = value.blobs[at - 1] as [string, number, number];
      value.blobs[at]![1] = before[1] + 1 + ctx.rng.int(Math.max(1, before[2] - 1));
    }
    ctx.files.writeJson(key, value);
  },
  'index-negative': (ctx) => {
    const { key, value } = anIndex(ctx);
    const entry = value.blobs[ctx.rng.int(value.blobs.length)] as [string, number, number];
    if (ctx.rng.chance(0.5)) entry[1] = -1 - ctx.rng.int(entry[2]);
    else entry[2] = -entry[2];
    ctx.files.writeJson(key, value);
  },
  'index-huge-numbers': (ctx) => withNumberText(ctx, ctx.rng.chance(0.5) ? 1 : 2, ctx.rng.pick(['1e400', '-1e400', '9007199254740993', '1e21', '1.5', '-0', '1e-400', '123456789012345678901234567890'])),
  'index-missing-pack': (ctx) => {
    const { pack, key, value } = anIndex(ctx);
    const missing = hex(ctx.rng, 16);
    if (ctx.rng.chance(0.5)) {
      // The index names a pack that is not stored, and its own pack is left without an index.
      ctx.files.remove(key);
      ctx.files.writeJson(indexKey(missing), { ...value, pack: missing });
    } else {
      // Another index lists the same chunks in a pack that is not stored.
      ctx.files.writeJson(indexKey(missing), { pack: missing, blobs: pack.blobs });
    }
  },
  'index-duplicate-ids': (ctx) => {
    const [a, b] = pickTwoPacks(ctx);
    const chunk = ctx.rng.pick(a.blobs)[0];
    const other = ctx.rng.pick(b.blobs);
    if (ctx.rng.chance(0.5)) {
      // The same index lists the chunk twice, once at another blob's place.
      editJson(ctx.files, indexKey(a.id), (v) => void v.blobs.splice(ctx.rng.int(v.blobs.length + 1), 0, [chunk, ...ctx.rng.pick(a.blobs).slice(1)]));
    } else {
      // Another pack's index claims it, at one of its own blobs.
      editJson(ctx.files, indexKey(b.id), (v) => void v.blobs.splice(ctx.rng.int(v.blobs.length + 1), 0, [chunk, other[1], other[2]]));
    }
  },
  'index-deleted': (ctx) => ctx.files.remove(anIndex(ctx).key),
  'index-pack-mismatch': (ctx) => {
    const [a, b] = pickTwoPacks(ctx);
    editJson(ctx.files, indexKey(a.id), (v) => void (v.pack = b.id));
  },
  'index-path-traversal': (ctx) => {
    const { key } = anIndex(ctx);
    const name = ctx.rng.pick(['../../../../outside/x', '/etc/passwd', '..', 'ab/../../cd', '../config.json', '.', 'a\\..\\..\\b', '%2e%2e']);
    if (ctx.rng.chance(0.7)) editJson(ctx.files, key, (v) => void (v.pack = name));
    else editJson(ctx.files, key, (v) => void (v.blobs[0][0] = name));
  },
  'index-deep-nesting': (ctx) => {
    const { key, value } = anIndex(ctx);
    const deep = deepJson(2_000 + ctx.rng.int(30_000), ctx.rng.chance(0.5));
    ctx.files.write(key, ctx.rng.chance(0.5) ? `{"pack":${JSON.stringify(value.pack)},"blobs":${deep}}` : deep);
  },
  'index-bad-chunk-id': (ctx) => {
    const { key, value } = anIndex(ctx);
    const entry = value.blobs[ctx.rng.int(value.blobs.length)]!;
    const id = String(entry[0]);
    entry[0] = ctx.rng.pick<unknown>(['', 'zz'.repeat(32), id.toUpperCase(), id.slice(1), `${id}0`, 42, null, ['nested'], `${id}\n`]);
    ctx.files.writeJson(key, value);
  },
  /** Tens of thousands of entries no snapshot uses: memory and time stay bounded. */
  'index-many-entries': (ctx) => {
    const { key, value, pack } = anIndex(ctx);
    const end = packLength(pack);
    const extra = 2_000 + ctx.rng.int(8_000);
    for (let i = 0; i < extra; i++) value.blobs.push([hex(ctx.rng, 32), ctx.rng.int(end), 1 + ctx.rng.int(2000)]);
    ctx.files.writeJson(key, value);
  },
};
