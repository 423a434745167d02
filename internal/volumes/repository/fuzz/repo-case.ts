// One fuzz case after its damage: the readers run on the damaged repository as the plugin runs
// them — open as a restore does and as the repo commands do (create: false), list, read every
// snapshot to its end, check, and sometimes delete a backup's snapshots and prune — and every
// step must end in a clear error or in what was written. What must hold:
//   - errors are clear (clear-errors.ts); nothing is thrown that is not an Error;
//   - a read that ends is byte-exact (SHA-256 of what was written), and never longer;
//   - the listing shows only snapshots that were written, with their sizes, and every one that reads;
//   - check names each snapshot whose read fails, and is not clean when the listing fails (or
//     check refuses to run, with a clear error);
//   - opening, listing, reading and checking write nothing; prune writes only inside the repository,
//     and every snapshot that read before a prune (and was not deleted) reads the same after it.
import { createHash } from 'node:crypto';
import type { Prng } from '../../../restore/fuzz/prng.ts';
import { LocalStore } from '../../../storage/local-store.ts';
import { REPO_PREFIX } from '../../../storage/layout.ts';
import { deleteSnapshotsOfBackup, listSnapshots, openRepository, type Repository, type SnapshotInfo } from '../repository.ts';
import { textProblem, unclearError } from './clear-errors.ts';
import type { CaseSetup } from './repo-cases.ts';
import type { BaseRepository, WrittenSnapshot } from './repo-base.ts';
import { WatchedStore } from './watched-store.ts';

type Failures = string[];

/** Runs `step`; a thrown error must be clear. Undefined when it threw. */
async function attempt<T>(label: string, step: string, failures: Failures, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    const problem = unclearError(error);
    if (problem) failures.push(`${label}: ${step} ${problem}`);
    return undefined;
  }
}

/** Reads a snapshot to its end, hashing as it goes; stops once it is longer than what was written. */
async function readMatches(repo: Repository, s: WrittenSnapshot): Promise<{ same: boolean; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = repo.readSnapshot(s.id);
  for await (const piece of stream) {
    bytes += (piece as Buffer).length;
    if (bytes > s.totalBytes) {
      stream.destroy();
      return { same: false, bytes };
    }
    hash.update(piece as Buffer);
  }
  return { same: bytes === s.totalBytes && hash.digest('hex') === s.sha256, bytes };
}

/** Reads each snapshot; true for those that came back byte-exact. A differing read is a failure. */
async function readAllSnapshots(label: string, step: string, repo: Repository, snapshots: WrittenSnapshot[], failures: Failures): Promise<Map<string, boolean>> {
  const ok = new Map<string, boolean>();
  for (const s of snapshots) {
    const read = await attempt(label, `${step} of snapshot ${s.id}`, failures, () => readMatches(repo, s));
    if (read && !read.same) failures.push(`${label}: ${step} of snapshot ${s.id} returned ${read.bytes}+ bytes that differ from the ${s.totalBytes} written`);
    ok.set(s.id, read?.same === true);
  }
  return ok;
}

/** A value from a damaged object, safe to put in a failure line (it may be nested 100,000 deep). */
function shown(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value).slice(0, 80) : `(${value === null ? 'null' : typeof value})`;
}

function checkListing(label: string, listed: SnapshotInfo[], base: BaseRepository, readOk: Map<string, boolean>, failures: Failures, tags: string[]): void {
  const seen = new Set<string>();
  for (const item of listed) {
    const written = base.snapshots.find((s) => s.id === item.id);
    if (!written) {
      failures.push(`${label}: the listing shows snapshot ${shown(item.id)}, which was never written`);
      continue;
    }
    if (seen.has(item.id)) failures.push(`${label}: the listing shows snapshot ${item.id} twice`);
    seen.add(item.id);
    if (readOk.get(item.id) && (item.totalBytes !== written.totalBytes || item.chunks !== written.chunks)) failures.push(`${label}: the listing says snapshot ${item.id} has ${shown(item.totalBytes)} bytes in ${shown(item.chunks)} chunks; ${written.totalBytes} in ${written.chunks} were written`);
    // Manifests carry no checksum: a changed name or date that is still well-formed cannot be told.
    const meta = (item.meta ?? {}) as unknown as Record<string, unknown>;
    if (Object.entries(written.meta).some(([k, v]) => meta[k] !== v)) tags.push('listing-meta-changed');
  }
  for (const s of base.snapshots) if (readOk.get(s.id) && !seen.has(s.id)) failures.push(`${label}: the listing leaves out snapshot ${s.id}, which reads fine`);
}

/** Runs the readers on the damaged repository in `storeDir`; returns how the case ended (tags). */
export async function runRepoCase(label: string, storeDir: string, base: BaseRepository, setup: CaseSetup, rng: Prng, failures: Failures): Promise<string[]> {
  const store = new WatchedStore(new LocalStore(storeDir));
  const key = setup.key === undefined ? base.key : (setup.key ?? undefined);
  const tags: string[] = [];

  const reader = await attempt(label, 'open (as a restore)', failures, () => openRepository({ store, encryptionKey: key }));
  const commands = await attempt(label, 'open (create: false)', failures, () => openRepository({ store, encryptionKey: key, create: false }));
  const listed = await attempt(label, 'listing', failures, async () => {
    const out: SnapshotInfo[] = [];
    for await (const s of listSnapshots(store)) out.push(s);
    return out;
  });
  if (!listed) tags.push('listing-refused');

  const readOk = reader ? await readAllSnapshots(label, 'read', reader, base.snapshots, failures) : new Map<string, boolean>();
  tags.unshift(!reader ? 'refused' : [...readOk.values()].every(Boolean) ? 'read-ok' : 'read-failed');
  if (listed && reader) checkListing(label, listed, base, readOk, failures, tags);

  if (commands) {
    const report = await attempt(label, 'check', failures, () => commands.check());
    if (!report) tags.push('check-refused');
    else {
      tags.push(report.problems.length ? 'check-reported' : 'check-clean');
      for (const p of report.problems) {
        const problem = textProblem(p.problem);
        if (problem) failures.push(`${label}: a check problem has ${problem}`);
      }
      for (const s of base.snapshots) {
        if (readOk.get(s.id) === false && !report.problems.some((p) => p.snapshot === s.id)) failures.push(`${label}: check names no problem with snapshot ${s.id}, whose read fails (${report.problems.length} problems)`);
      }
      if (!listed && !report.problems.length) failures.push(`${label}: check finds nothing wrong, yet the listing fails`);
    }
  }
  if (store.writes.length) failures.push(`${label}: opening, listing, reading or checking wrote to the store: ${store.writes.slice(0, 3).join(', ')}`);

  if (commands && (setup.prune || rng.chance(0.2))) {
    store.writes = [];
    const dropped = rng.chance(0.7) ? rng.pick(base.snapshots) : undefined;
    if (dropped) await attempt(label, 'deleting the snapshots of a backup', failures, () => deleteSnapshotsOfBackup(store, dropped.meta.backup));
    const pruned = await attempt(label, 'prune', failures, () => commands.prune());
    tags.push(pruned ? 'pruned' : 'prune-refused');
    const outside = store.writes.filter((w) => !w.slice(w.indexOf(' ') + 1).startsWith(REPO_PREFIX));
    if (outside.length) failures.push(`${label}: deleting or pruning wrote outside the repository: ${outside.slice(0, 3).join(', ')}`);
    if (pruned) {
      const after = await attempt(label, 'open after prune', failures, () => openRepository({ store, encryptionKey: key, create: false }));
      const kept = base.snapshots.filter((s) => s !== dropped && readOk.get(s.id));
      const readAfter = after ? await readAllSnapshots(label, 'read after prune', after, kept, failures) : new Map<string, boolean>();
      for (const s of kept) if (!readAfter.get(s.id)) failures.push(`${label}: snapshot ${s.id} read fine before the prune and not after it`);
    }
  }
  return tags;
}
