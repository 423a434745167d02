// Damages to what a reader checks before any data: config.json (unparseable, unknown version,
// chunker, compression and key parameters no writer made, a key check that matches no key, the
// file gone), the key itself (wrong, missing, given to a plain repository), and the lock objects
// that writers and prune leave (garbage, or from the future).
import { randomUUID } from 'node:crypto';
import { repoKeys } from '../../../storage/layout.ts';
import { badJsonText } from './damage-indexes.ts';
import { type Damage, editJson, hex } from './damage-kit.ts';

const CONFIG = repoKeys.config;

export const CONFIG_DAMAGES: Record<string, Damage> = {
  'config-bad-json': (ctx) => ctx.files.write(CONFIG, badJsonText(ctx.rng, ctx.files.read(CONFIG).toString('utf8'))),
  'config-null': (ctx) => ctx.files.write(CONFIG, ctx.rng.pick(['null', '[]', '0', '""', 'false', '{}'])),
  'config-deleted': (ctx) => ctx.files.remove(CONFIG),
  'config-version': (ctx) => {
    const version = ctx.rng.pick<unknown>([1, 3, '2', null, 2.5, 1e308, undefined, '\u001b[2J', 'v'.repeat(5000), { major: 2 }]);
    editJson(ctx.files, CONFIG, (v) => void (version === undefined ? delete v.version : (v.version = version)));
  },
  'config-chunker': (ctx) => {
    const edits: ((c: any) => unknown)[] = [
      (c) => void ([c.minSize, c.maxSize] = [c.maxSize, c.minSize]),
      (c) => void (c.avgSize = 0),
      (c) => void (c.minSize = -1),
      (c) => void (c.maxSize = '16KiB'),
      (c) => void (c.maxSize = 2 ** 40),
      (c) => void (c.avgSize = 1e300),
      (c) => void (c.seed = 5),
      (c) => void delete c.seed,
      (c) => void (c.minSize = c.avgSize = c.maxSize = 1),
    ];
    editJson(ctx.files, CONFIG, (v) => {
      if (ctx.rng.chance(0.15)) v.chunker = ctx.rng.pick([null, 'fastcdc', []]);
      else ctx.rng.pick(edits)(v.chunker);
    });
  },
  'config-compression': (ctx) => {
    const compression = ctx.rng.pick<unknown>(['gzip', null, undefined, 5, 'ZSTD', 'none']);
    editJson(ctx.files, CONFIG, (v) => void (compression === undefined ? delete v.compression : (v.compression = compression)));
  },
  'config-pack-size': (ctx) => {
    const packSize = ctx.rng.pick<unknown>([0, -1, 1e300, '8MiB', undefined, 2 ** 53]);
    editJson(ctx.files, CONFIG, (v) => void (packSize === undefined ? delete v.packSize : (v.packSize = packSize)));
  },
  /** A key check that matches no key (encrypted), or an encryption block a plain repository never had. */
  'config-key-check': (ctx) => {
    editJson(ctx.files, CONFIG, (v) => {
      if (!v.encryption) {
        v.encryption = { kdf: 'scrypt', salt: hex(ctx.rng, 16), N: 1024, r: 8, p: 1, keyCheck: hex(ctx.rng, 32) };
        return;
      }
      const check = String(v.encryption.keyCheck);
      const at = ctx.rng.int(check.length);
      v.encryption.keyCheck = ctx.rng.pick<unknown>([check.slice(0, at) + (check[at] === '0' ? '1' : '0') + check.slice(at + 1), check.slice(2), 'zz'.repeat(32), undefined, 5, '']);
    });
  },
  'config-encryption-params': (ctx) => {
    editJson(ctx.files, CONFIG, (v) => {
      if (!v.encryption || ctx.rng.chance(0.2)) {
        v.encryption = ctx.rng.pick<unknown>(['yes', [], 5, true, { kdf: 'scrypt' }]);
        return;
      }
      const e = v.encryption;
      ctx.rng.pick<() => void>([
        () => (e.N = 2 ** 30),
        () => (e.N = 2 ** 20),
        () => (e.N = 3),
        () => (e.N = 0),
        () => (e.N = '1024'),
        () => (e.r = 0),
        () => (e.r = 1e6),
        () => (e.p = 1e9),
        () => (e.salt = 'zz'),
        () => (e.salt = 5),
        () => (e.kdf = 'argon2id'),
        () => delete e.salt,
      ])();
    });
  },
  'key-wrong': (ctx) => {
    if (!ctx.base.encrypted) return { key: Buffer.from('a key for a repository that has none\n') };
    return { key: ctx.rng.pick([Buffer.from('the wrong key\n'), null, Buffer.concat([ctx.base.key!, Buffer.from('x')]), ctx.rng.bytes(32)]) };
  },
  'lock-garbage': (ctx) => {
    const body = ctx.rng.pick<string | Buffer>(['{', 'null', '5', '"write"', '{"kind":"x","time":"y"}', '{"kind":"prune"}', '{"kind":"write","time":null}', '', ctx.rng.bytes(1 + ctx.rng.int(1 << 16)), `{"kind":"prune","time":${Date.now()},"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`]);
    ctx.files.write(repoKeys.lock(randomUUID()), body);
    return { prune: true };
  },
  'lock-from-the-future': (ctx) => {
    const time = ctx.rng.pick([Date.now() + 3_600_000, Date.now() + 1e11, 1e300, 8.64e15 + 1, Number.MAX_SAFE_INTEGER, -1e300]);
    ctx.files.write(repoKeys.lock(randomUUID()), JSON.stringify({ kind: ctx.rng.pick(['write', 'prune']), time }));
    return { prune: true };
  },
};
