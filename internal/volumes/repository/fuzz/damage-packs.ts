// Damages to pack objects (sealed chunks back to back): flipped, cut, emptied, swapped, deleted,
// replaced, grown. Every byte of a pack belongs to some chunk a snapshot uses, so each of these
// but appended garbage breaks a read — which must then fail clearly, and check must say so.
import { type Damage, flipBytes, packKey, pickBlob, pickPack, pickTwoPacks } from './damage-kit.ts';

/** AES-256-GCM framing of a sealed chunk: nonce in front, tag behind. */
const NONCE = 12;
const TAG = 16;

export const PACK_DAMAGES: Record<string, Damage> = {
  'pack-flip-header': (ctx) => {
    const key = packKey(pickPack(ctx).id);
    const bytes = ctx.files.read(key);
    ctx.files.write(key, flipBytes(bytes, ctx.rng, 0, Math.min(64, bytes.length), 1 + ctx.rng.int(3)));
  },
  'pack-flip-body': (ctx) => {
    const key = packKey(pickPack(ctx).id);
    const bytes = ctx.files.read(key);
    ctx.files.write(key, flipBytes(bytes, ctx.rng, 0, bytes.length, 1 + ctx.rng.int(4)));
  },
  'pack-flip-tail': (ctx) => {
    const key = packKey(pickPack(ctx).id);
    const bytes = ctx.files.read(key);
    ctx.files.write(key, flipBytes(bytes, ctx.rng, Math.max(0, bytes.length - 32), bytes.length, 1 + ctx.rng.int(3)));
  },
  'pack-truncated': (ctx) => {
    const key = packKey(pickPack(ctx).id);
    const bytes = ctx.files.read(key);
    ctx.files.write(key, bytes.subarray(0, ctx.rng.int(bytes.length)));
  },
  'pack-zero-length': (ctx) => ctx.files.write(packKey(pickPack(ctx).id), Buffer.alloc(0)),
  'pack-swapped': (ctx) => {
    const [a, b] = pickTwoPacks(ctx).map((p) => packKey(p.id)) as [string, string];
    const bytesA = ctx.files.read(a);
    ctx.files.write(a, ctx.files.read(b));
    ctx.files.write(b, bytesA);
  },
  'pack-deleted': (ctx) => ctx.files.remove(packKey(pickPack(ctx).id)),
  'pack-replaced-by-another': (ctx) => {
    const [a, b] = pickTwoPacks(ctx);
    ctx.files.write(packKey(a.id), ctx.files.read(packKey(b.id)));
  },
  /** The one pack damage a read survives: the index's offsets still hold. */
  'pack-appended-garbage': (ctx) => {
    const key = packKey(pickPack(ctx).id);
    ctx.files.write(key, Buffer.concat([ctx.files.read(key), ctx.rng.bytes(1 + ctx.rng.int(4096))]));
  },
  'pack-prefixed-garbage': (ctx) => {
    const key = packKey(pickPack(ctx).id);
    ctx.files.write(key, Buffer.concat([ctx.rng.bytes(1 + ctx.rng.int(64)), ctx.files.read(key)]));
  },
  'pack-blob-zeroed': (ctx) => {
    const { pack, entry } = pickBlob(ctx);
    const bytes = ctx.files.read(packKey(pack));
    bytes.fill(0, entry[1], entry[1] + entry[2]);
    ctx.files.write(packKey(pack), bytes);
  },
  /** Inside one chunk's ciphertext (encrypted) or compressed frame (plain), not its nonce or tag. */
  'ciphertext-flip': (ctx) => {
    const { pack, entry } = pickBlob(ctx);
    const [, offset, length] = entry;
    const bytes = ctx.files.read(packKey(pack));
    const [from, to] = ctx.base.encrypted ? [offset + NONCE, offset + length - TAG] : [offset, offset + length];
    ctx.files.write(packKey(pack), flipBytes(bytes, ctx.rng, from, to, 1 + ctx.rng.int(2)));
  },
};
