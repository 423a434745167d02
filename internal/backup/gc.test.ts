// backup gc's engine on an in-memory location with a real volume repository: what expires, what is
// protected (a running restore, a running backup), dry runs, and crashes at every point of a run.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStore } from './memory-store.test-helpers.ts';
import { type Backup, completeBackup, newBackup } from './backup-object.ts';
import { buildBackupSpec } from './spec.ts';
import { nsToMs, parseDuration } from './duration.ts';
import { ObjectStoreBackupTarget } from './store-target.ts';
import { ResourceList } from './resource-list.ts';
import { StoredBackups } from './stored-backups.ts';
import { startHeartbeat, type InProgressRecord } from './in-progress.ts';
import { collectGarbage, type GcReport } from './gc.ts';
import { deleteBackup, deletionRecordKey, listDeletionRecords } from './delete-backup.ts';
import type { ObjectStore, PutOptions } from '../storage/object-store.ts';
import { backupKeys, DELETION_FILE, pluginBackupKeys, REPO_PREFIX, repoKeys, restoreKeys } from '../storage/layout.ts';
import { writeRecords } from '../volumes/records.ts';
import { listSnapshots, openRepository } from '../volumes/repository/repository.ts';
import { HEARTBEAT_ANNOTATION, RENEW_ANNOTATION } from '../restore/restore-heartbeat.ts';
import type { Restore } from '../restore/restore-object.ts';

const HOUR = 3600_000;
const SMALL = { minSize: 16 * 1024, avgSize: 32 * 1024, maxSize: 64 * 1024 };
/** Data every backup's volume holds, so packs mix chunks of kept and deleted backups (prune rewrites them). */
const SHARED = randomBytes(150_000);

async function* pieces(data: Buffer): AsyncIterable<Buffer> {
  for (let i = 0; i < data.length; i += 50_000) yield data.subarray(i, i + 50_000);
}

/** A Backup made `ageMs` ago with that TTL, as backup create makes it. */
function backupObject(name: string, ttl: string, ageMs: number): Backup {
  const spec = buildBackupSpec({ ttl, storageLocation: 'default' });
  const started = newBackup({ name, namespace: 'velero', spec, now: new Date(Date.now() - ageMs), ttlMs: nsToMs(parseDuration(spec.ttl!)) });
  return started;
}

/** A finished backup with its files, volume records and (with `volume`) a snapshot in the repository. */
async function putBackup(store: ObjectStore, name: string, ttl: string, ageMs: number, volume = true): Promise<Backup> {
  const backup = completeBackup(backupObject(name, ttl, ageMs), { phase: 'Completed', warnings: 0, errors: 0, itemsBackedUp: 1, totalItems: 1 });
  await store.put(backupKeys(name).tarball, `tarball of ${name}`);
  await writeRecords(store, name, []);
  if (volume) {
    const repo = await openRepository({ store, chunker: SMALL, packSize: 96 * 1024 });
    await repo.writeSnapshot(pieces(Buffer.concat([SHARED, randomBytes(120_000)])), { backup: name, namespace: 'shop', pod: 'db-0', volume: 'data' });
  }
  await new ObjectStoreBackupTarget(store).publish({ backup, log: gzipSync(`log of ${name}\n`), resourceList: new ResourceList(), results: { errors: {}, warnings: {} } });
  return backup;
}

/** A backup killed `beatAgoMs` after its last heartbeat (or still beating, for a small value). */
async function putRunningBackup(store: ObjectStore, name: string, ttl: string, ageMs: number, beatAgoMs: number): Promise<void> {
  const record: InProgressRecord = { backup: backupObject(name, ttl, ageMs), heartbeat: new Date(Date.now() - beatAgoMs).toISOString(), renewSeconds: 30, holder: 'elsewhere/1' };
  await store.put(pluginBackupKeys(name).inProgress, JSON.stringify(record));
  await store.put(backupKeys(name).tarball, 'partial tarball');
}

async function putRestore(store: ObjectStore, name: string, backup: string, beatAgoMs: number): Promise<void> {
  const restore: Restore = {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: { name, namespace: 'velero', annotations: { [HEARTBEAT_ANNOTATION]: new Date(Date.now() - beatAgoMs).toISOString(), [RENEW_ANNOTATION]: '30' } },
    spec: { backupName: backup },
    status: { phase: 'InProgress' },
  };
  await store.put(restoreKeys(name).object, JSON.stringify(restore));
}

/** What the location holds of a backup: its folder, our folder of it. (Its snapshots: snapshotBackups.) */
const keysOf = (store: MemoryStore, name: string) => [...store.objects.keys()].filter((k) => k.startsWith(backupKeys(name).dir) || k.startsWith(pluginBackupKeys(name).dir));

async function snapshotBackups(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const s of listSnapshots(store)) out.push(s.meta.backup);
  return out.sort();
}

async function checkProblems(store: ObjectStore): Promise<unknown[]> {
  if (!(await store.exists(repoKeys.config))) return [];
  return (await (await openRepository({ store, create: false })).check({ readData: true })).problems;
}

const listed = async (store: ObjectStore) => (await new StoredBackups(store).list()).map((b) => b.metadata.name).sort();

function lines() {
  const out: string[] = [];
  return { out, log: { info: (l: string) => out.push(l), warn: (l: string) => out.push(l) } };
}

test('every backup has status.expiration = its start + --ttl (default 720h; 0 means the default, as in Velero)', () => {
  const at = new Date('2026-03-01T10:00:00Z');
  const make = (ttl?: string) => {
    const spec = buildBackupSpec({ storageLocation: 'default', ...(ttl === undefined ? {} : { ttl }) });
    return newBackup({ name: 'b', namespace: 'velero', spec, now: at, ttlMs: nsToMs(parseDuration(spec.ttl!)) });
  };
  assert.is(make().spec.ttl, '720h0m0s');
  assert.is(make().status.expiration, '2026-03-31T10:00:00Z');
  assert.is(make('1s').status.expiration, '2026-03-01T10:00:01Z');
  assert.is(make('36h30m').status.expiration, '2026-03-02T22:30:00Z');
  assert.is(make('0').spec.ttl, '720h0m0s');
  assert.is(make('0s').status.expiration, '2026-03-31T10:00:00Z');
});

test('gc deletes the expired backups with everything of theirs, keeps the others, and prunes', async () => {
  const store = new MemoryStore();
  await putBackup(store, 'old', '1h', 2 * HOUR);
  await putBackup(store, 'older', '24h', 48 * HOUR, false);
  await putBackup(store, 'fresh', '720h', HOUR);
  const noExpiry = completeBackup(backupObject('forever', '1h', 2 * HOUR), { phase: 'Completed', warnings: 0, errors: 0, itemsBackedUp: 0, totalItems: 0 });
  delete noExpiry.status.expiration;
  await store.put(backupKeys('forever').metadata, JSON.stringify(noExpiry));
  const { out, log } = lines();

  const report = await collectGarbage({ store, log });
  assert.equal(report.deleted.map((d) => d.name).sort(), ['old', 'older']);
  assert.is(report.deleted.find((d) => d.name === 'old')!.snapshots, 1);
  assert.is(report.notExpired, 2, 'fresh, and forever: no expiration, never collected (Velero)');
  assert.equal(report.failed, []);
  assert.is(report.prune.status, 'pruned');
  assert.ok(report.prune.status === 'pruned' && report.prune.report.chunksDeleted > 0);
  assert.equal(await listed(store), ['forever', 'fresh']);
  assert.equal(keysOf(store, 'old'), [], 'nothing of "old" is left, its records and deletion record included');
  assert.equal(keysOf(store, 'older'), []);
  assert.equal(await snapshotBackups(store), ['fresh']);
  assert.equal(await checkProblems(store), []);
  assert.ok(store.objects.has(backupKeys('fresh').tarball));
  assert.match(out.join('\n'), /^Backup "old" deleted: expired \S+ \(and 1 volume snapshot\)\.$/m);
  assert.match(out.join('\n'), /^Backup "older" deleted: expired \S+\.$/m);
  assert.match(out.at(-1)!, /^Garbage collection done: 2 backups deleted, 2 not expired\.$/);
  // A second run has nothing to do and does not prune again.
  const again = await collectGarbage({ store });
  assert.equal([again.deleted.length, again.prune.status], [0, 'not-needed']);
});

test('expiry is judged at `now`; a dry run lists what would go and writes nothing', async () => {
  const store = new MemoryStore();
  await putBackup(store, 'a', '1h', 2 * HOUR);
  await putBackup(store, 'b', '3h', 2 * HOUR);
  const before = new Map([...store.objects].map(([k, v]) => [k, Buffer.from(v)]));
  const puts = store.putOrder.length;
  const { out, log } = lines();
  const report = await collectGarbage({ store, dryRun: true, now: new Date(Date.now() + 2 * HOUR), log });
  assert.equal(report.deleted.map((d) => d.name), ['a', 'b']);
  assert.is(report.prune.status, 'would-prune');
  assert.equal(store.objects, before, 'not one object changed');
  assert.is(store.putOrder.length, puts, 'not even a lock was written');
  assert.match(out.join('\n'), /^Backup "a" would be deleted: expired \S+\.\nBackup "b" would be deleted: expired \S+\.\nDry run: 2 backups would be deleted, 0 not expired; nothing was changed\.$/);
});

test('a backup an InProgress restore reads is kept; one whose restore died is deleted', async () => {
  const store = new MemoryStore();
  await putBackup(store, 'read', '1h', 2 * HOUR);
  await putBackup(store, 'was-read', '1h', 2 * HOUR);
  await putRestore(store, 'r1', 'read', 5_000);
  await putRestore(store, 'r2', 'was-read', HOUR);
  const { out, log } = lines();
  const report = await collectGarbage({ store, log });
  assert.equal(report.deleted.map((d) => d.name), ['was-read']);
  assert.equal(report.kept.map((k) => [k.name, k.reason]), [['read', 'restore "r1" is reading it (InProgress)']]);
  assert.match(out.join('\n'), /^Backup "read" expired \S+ but is kept: restore "r1" is reading it \(InProgress\)\.$/m);
  assert.equal(await listed(store), ['read']);
  assert.equal(await snapshotBackups(store), ['read']);
  assert.equal(await checkProblems(store), []);
});

test('a running backup is never touched, even past its expiration; a dead one past it is deleted', async () => {
  const store = new MemoryStore();
  await putRunningBackup(store, 'running', '1s', HOUR, 0);
  await putRunningBackup(store, 'dead', '1s', 2 * HOUR, HOUR);
  await putRunningBackup(store, 'dead-young', '720h', 2 * HOUR, HOUR);
  const beating = await startHeartbeat(store, backupObject('beating', '1s', HOUR), 1);
  try {
    const report = await collectGarbage({ store });
    assert.equal(report.deleted.map((d) => d.name), ['dead']);
    assert.equal(report.kept.map((k) => [k.name, k.reason]), [['beating', 'it is still in progress'], ['running', 'it is still in progress']]);
    assert.is(report.notExpired, 1);
    assert.equal(keysOf(store, 'dead'), [], 'its partial tarball and its stale heartbeat record are gone');
    assert.ok(store.objects.has(pluginBackupKeys('running').inProgress) && store.objects.has(backupKeys('running').tarball));
    assert.ok(store.objects.has(pluginBackupKeys('dead-young').inProgress), 'a dead backup that has not expired stays (Failed) until it does');
  } finally {
    await beating.end();
  }
});

test('backup delete leaves its deletion record awaiting a prune; the next gc prunes and settles it', async () => {
  const store = new MemoryStore();
  await putBackup(store, 'gone', '720h', HOUR);
  await putBackup(store, 'kept', '720h', HOUR);
  const done = await deleteBackup(store, 'gone', { reason: 'backup delete' });
  assert.is(done.snapshots, 1);
  assert.equal(keysOf(store, 'gone'), [`plugins/kubectl-velero/backups/gone/${DELETION_FILE}`]);
  const refused = await deleteBackup(store, 'gone', { reason: 'backup delete' }).then(() => undefined, (e: Error) => e);
  assert.match(String(refused?.message), /^backup "gone" not found in memory:\/\/test/);
  const report = await collectGarbage({ store });
  assert.equal([report.deleted.length, report.prune.status], [0, 'pruned']);
  assert.equal(keysOf(store, 'gone'), []);
  assert.equal(await checkProblems(store), []);
});

test('a deletion record of a name now taken by another backup is dropped, and that backup kept', async () => {
  const store = new MemoryStore();
  await putBackup(store, 'reused', '720h', HOUR, false);
  await store.put(deletionRecordKey('reused'), JSON.stringify({ backup: 'reused', uid: 'an-older-backup', reason: 'backup delete', started: new Date().toISOString(), holder: 'x/1', stage: 'deleting' }));
  const report = await collectGarbage({ store });
  assert.equal(report.deleted, []);
  assert.equal(await listed(store), ['reused']);
  assert.ok(store.objects.has(backupKeys('reused').tarball));
  assert.equal(await listDeletionRecords(store), []);
});

test('an encrypted repository without the key: backups are deleted, the prune waits for a run with the key', async () => {
  const store = new MemoryStore();
  const key = randomBytes(32);
  const repo = await openRepository({ store, chunker: SMALL, packSize: 96 * 1024, encryptionKey: key });
  await repo.writeSnapshot(pieces(randomBytes(200_000)), { backup: 'secret', namespace: 'shop', pod: 'db-0', volume: 'data' });
  await putBackup(store, 'secret', '1h', 2 * HOUR, false);
  const { out, log } = lines();
  const first = await collectGarbage({ store, log });
  assert.equal(first.deleted.map((d) => d.name), ['secret']);
  assert.is(first.prune.status, 'skipped');
  assert.match(out.join('\n'), /^warning: the volume repository was not pruned: the volume repository in memory:\/\/test is encrypted: pass --encryption-key-file/m);
  assert.is((await listDeletionRecords(store)).length, 1, 'the record waits for the prune');
  const wrong = await collectGarbage({ store, encryptionKey: randomBytes(32) }).then(() => undefined, (e: Error) => e);
  assert.match(String(wrong?.message), /does not open the volume repository/);
  const second = await collectGarbage({ store, encryptionKey: key });
  assert.is(second.prune.status, 'pruned');
  assert.equal(await listDeletionRecords(store), []);
  assert.equal([...store.objects.keys()].filter((k) => k.startsWith(`${REPO_PREFIX}packs/`)), [], 'every chunk was the deleted backup\'s');
});

/** A store that dies after `deletesLeft` deletes: from then on every call fails, as a killed process does nothing more. */
class CrashingStore implements ObjectStore {
  crashed = false;
  deletes = 0;
  constructor(readonly inner: MemoryStore, private deletesLeft: number) {}
  private alive(): void {
    if (this.crashed) throw new Error('crashed');
  }
  describe(): string {
    return this.inner.describe();
  }
  async put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void> {
    this.alive();
    return this.inner.put(key, body, options);
  }
  async get(key: string): Promise<Readable> {
    this.alive();
    return this.inner.get(key);
  }
  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    this.alive();
    return this.inner.getRange(key, start, length);
  }
  async exists(key: string): Promise<boolean> {
    this.alive();
    return this.inner.exists(key);
  }
  async *list(prefix: string): AsyncIterable<string> {
    this.alive();
    for await (const key of this.inner.list(prefix)) {
      this.alive();
      yield key;
    }
  }
  async listCommonPrefixes(prefix: string, delimiter?: string): Promise<string[]> {
    this.alive();
    return this.inner.listCommonPrefixes(prefix, delimiter);
  }
  async delete(key: string): Promise<void> {
    this.alive();
    if (this.deletesLeft-- <= 0) {
      this.crashed = true;
      throw new Error('crashed');
    }
    this.deletes++;
    return this.inner.delete(key);
  }
}

async function crashWorld(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await putBackup(store, 'x1', '1h', 2 * HOUR);
  await putBackup(store, 'x2', '1h', 2 * HOUR);
  await putBackup(store, 'keep', '720h', HOUR);
  await putRunningBackup(store, 'x3', '1h', 3 * HOUR, 2 * HOUR);
  return store;
}

/** A crash leaves its prune lock behind; it goes stale after 15 minutes, which the test does not wait for. */
function ageLocks(store: MemoryStore): void {
  for (const [key, value] of store.objects) {
    if (key.startsWith(repoKeys.locks)) store.objects.set(key, Buffer.from(JSON.stringify({ ...JSON.parse(value.toString()), time: Date.now() - 16 * 60_000 })));
  }
}

test('a crash after any number of deletes leaves a location repo check passes, and the next gc finishes the job', async () => {
  // How many deletes a whole run makes: every point before the last is a place to crash.
  const whole = new CrashingStore(await crashWorld(), Infinity);
  const full = await collectGarbage({ store: whole });
  assert.equal(full.deleted.map((d) => d.name).sort(), ['x1', 'x2', 'x3']);
  assert.ok(whole.deletes > 20, `${whole.deletes} deletes in a whole run`);
  let lockedRuns = 0;
  for (let n = 0; n < whole.deletes; n++) {
    const inner = await crashWorld();
    const crashing = new CrashingStore(inner, n);
    let first: GcReport | undefined;
    try {
      first = await collectGarbage({ store: crashing });
    } catch {
      // The run died.
    }
    // The number of deletes varies a little from world to world (random chunk ids place chunks in
    // different packs): a run that needed fewer than n deletes finished, and must say so.
    if (!crashing.crashed) {
      assert.ok(first && !first.failed.length && first.prune.status === 'pruned', `a run that did not crash (at ${n} deletes) succeeded`);
      continue;
    }
    assert.ok(!first || first.failed.length || first.prune.status !== 'pruned', `a crashed run does not claim success (delete ${n})`);
    assert.equal(await checkProblems(inner), [], `repo check after a crash at delete ${n}`);
    // Whatever is listed is whole: a half-deleted backup is never listed.
    for (const name of await listed(inner)) assert.ok(inner.objects.has(backupKeys(name).tarball) && inner.objects.has(backupKeys(name).log) || name === 'x3', `${name} is listed whole (delete ${n})`);
    // A prune lock left by the crash is honored until it is stale: deletions are finished, the prune waits.
    if ([...inner.objects.keys()].some((k) => k.startsWith(repoKeys.locks))) {
      const blocked = await collectGarbage({ store: inner });
      assert.equal([blocked.failed, blocked.prune.status], [[], 'skipped'], `a fresh lock is honored (delete ${n})`);
      lockedRuns++;
      ageLocks(inner);
    }
    const second = await collectGarbage({ store: inner });
    assert.equal(second.failed, [], `the second run fails nothing (delete ${n})`);
    assert.equal(await listed(inner), ['keep'], `after a crash at delete ${n}`);
    for (const name of ['x1', 'x2', 'x3']) assert.equal(keysOf(inner, name), [], `nothing of ${name} is left after a crash at delete ${n}`);
    assert.equal(await snapshotBackups(inner), ['keep']);
    assert.equal(await checkProblems(inner), []);
    assert.equal(await listDeletionRecords(inner), []);
    const repo = await openRepository({ store: inner, create: false });
    assert.is((await repo.prune()).chunksDeleted, 0, `no chunk is left unpruned after a crash at delete ${n}`);
  }
  assert.ok(lockedRuns > 0 && lockedRuns < whole.deletes, `crashes inside the prune (${lockedRuns}) and outside it`);
});

test.run();
