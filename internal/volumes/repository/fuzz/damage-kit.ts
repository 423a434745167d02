// What every damage works with: the case's copy of the base repository as files (read, write,
// delete by object key), what the base holds, the case's seeded PRNG, and small helpers to aim at
// one pack, blob, index or manifest.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Prng } from '../../../restore/fuzz/prng.ts';
import { repoKeys } from '../../../storage/layout.ts';
import type { BaseRepository, IndexEntry, WrittenSnapshot } from './repo-base.ts';

export interface DamageContext {
  rng: Prng;
  files: RepoFiles;
  base: BaseRepository;
}

/** How the readers run after a damage, where the damage is to the key or to the locks. */
export interface CaseSetup {
  /** The key the readers open with instead of the base's: null for none. */
  key?: Buffer | null;
  /** Always prune: a lock damage matters only to prune. */
  prune?: boolean;
}

export type Damage = (ctx: DamageContext) => CaseSetup | void;

/** The store's objects as files, by key. */
export class RepoFiles {
  constructor(readonly root: string) {}

  path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  read(key: string): Buffer {
    return readFileSync(this.path(key));
  }

  write(key: string, data: Buffer | string): void {
    mkdirSync(dirname(this.path(key)), { recursive: true });
    writeFileSync(this.path(key), data);
  }

  remove(key: string): void {
    rmSync(this.path(key), { force: true });
  }

  exists(key: string): boolean {
    return existsSync(this.path(key));
  }

  json(key: string): any {
    return JSON.parse(this.read(key).toString('utf8'));
  }

  writeJson(key: string, value: unknown): void {
    this.write(key, JSON.stringify(value));
  }

  /** Keys under `prefix`, sorted. */
  keys(prefix: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else out.push(relative(this.root, join(dir, e.name)).split(sep).join('/'));
      }
    };
    walk(this.root);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }
}

export const hex = (rng: Prng, bytes: number) => rng.bytes(bytes).toString('hex');

/** XORs `count` bytes of `buf` in [from, to) with non-zero values (each flip changes the byte). */
export function flipBytes(buf: Buffer, rng: Prng, from: number, to: number, count: number): Buffer {
  if (to <= from) return buf;
  for (let i = 0; i < count; i++) {
    const at = from + rng.int(to - from);
    buf[at] = buf[at]! ^ (1 + rng.int(255));
  }
  return buf;
}

/** JSON nested `depth` deep: `[[[…0…]]]` or `{"a":{"a":…}}`. */
export function deepJson(depth: number, objects: boolean): string {
  return objects ? '{"a":'.repeat(depth) + '0' + '}'.repeat(depth) : '['.repeat(depth) + '0' + ']'.repeat(depth);
}

export function pickPack(ctx: DamageContext): BaseRepository['packs'][number] {
  return ctx.rng.pick(ctx.base.packs);
}

/** Two different packs. */
export function pickTwoPacks(ctx: DamageContext): [BaseRepository['packs'][number], BaseRepository['packs'][number]] {
  const a = ctx.rng.int(ctx.base.packs.length);
  const b = (a + 1 + ctx.rng.int(ctx.base.packs.length - 1)) % ctx.base.packs.length;
  return [ctx.base.packs[a]!, ctx.base.packs[b]!];
}

export function pickBlob(ctx: DamageContext): { pack: string; entry: IndexEntry; at: number } {
  const pack = pickPack(ctx);
  const at = ctx.rng.int(pack.blobs.length);
  return { pack: pack.id, entry: pack.blobs[at]!, at };
}

export function pickSnapshot(ctx: DamageContext): WrittenSnapshot {
  return ctx.rng.pick(ctx.base.snapshots);
}

/** Rewrites a JSON object in place: `edit` changes the parsed value, or returns a new one. */
export function editJson(files: RepoFiles, key: string, edit: (value: any) => unknown): void {
  const value = files.json(key);
  const replaced = edit(value);
  files.writeJson(key, replaced === undefined ? value : replaced);
}

export const packKey = repoKeys.pack;
export const indexKey = repoKeys.index;
export const snapshotKey = repoKeys.snapshot;
