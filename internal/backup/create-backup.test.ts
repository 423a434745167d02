import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackup } from './create-backup.ts';
import { FixtureCluster, o } from './fixture-cluster.test-helpers.ts';
import { MemoryStore } from './memory-store.test-helpers.ts';
import type { PutOptions } from '../storage/object-store.ts';
import { ObjectStoreBackupTarget } from './store-target.ts';
import { StoredBackups } from './stored-backups.ts';

const cluster = (extra = 0) =>
  new FixtureCluster([
    o('namespaces', undefined, 'shop', { status: { phase: 'Active' } }),
    o('configmaps', 'shop', 'prices', { data: { a: '1' } }),
    // incompressible data so a big backup really streams many bytes
    ...Array.from({ length: extra }, (_, i) => o('secrets', 'shop', `s${i}`, { data: { v: randomBytes(4096).toString('base64') } })),
  ]);

const run = (store: MemoryStore, name = 'b1', extra = 0) =>
  createBackup({ name, veleroNamespace: 'velero', options: { storageLocation: 'default', includeNamespaces: ['shop'] }, source: cluster(extra), target: new ObjectStoreBackupTarget(store) });

test('a completed backup: Velero\'s files, velero-backup.json uploaded last, shapes as documented', async () => {
  const store = new MemoryStore();
  const backup = await run(store);
  assert.is(backup.status.phase, 'Completed');
  assert.is(store.putOrder.at(-1), 'backups/b1/velero-backup.json');
  assert.ok(store.putOrder.includes('backups/b1/b1.tar.gz'));
  assert.ok(store.putOrder.includes('backups/b1/b1-logs.gz'));
  const stored = JSON.parse(store.objects.get('backups/b1/velero-backup.json')!.toString());
  assert.is(stored.apiVersion, 'velero.io/v1');
  assert.is(stored.kind, 'Backup');
  assert.is(stored.metadata.namespace, 'velero');
  assert.is(stored.metadata.labels['velero.io/storage-location'], 'default');
  assert.is(stored.spec.ttl, '720h0m0s');
  assert.equal(stored.spec.includedNamespaces, ['shop']);
  assert.is(stored.status.formatVersion, '1.1.0');
  assert.equal(stored.status.progress, { totalItems: 2, itemsBackedUp: 2 });
  assert.ok(Date.parse(stored.status.expiration) - Date.parse(stored.status.startTimestamp) === 720 * 3600 * 1000);
  assert.equal(JSON.parse(gunzipSync(store.objects.get('backups/b1/b1-resource-list.json.gz')!).toString()), { 'v1/ConfigMap': ['shop/prices'], 'v1/Namespace': ['shop'] });
  assert.equal(JSON.parse(gunzipSync(store.objects.get('backups/b1/b1-results.gz')!).toString()), { errors: {}, warnings: {} });
  assert.match(gunzipSync(store.objects.get('backups/b1/b1-logs.gz')!).toString(), /^time="[^"]+" level=info msg="Setting up backup" backup=velero\/b1/);
  assert.equal((await new StoredBackups(store).list()).map((b) => b.status.phase), ['Completed']);
});

test('a name already in the store is refused', async () => {
  const store = new MemoryStore();
  await run(store);
  try {
    await run(store);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /already exists/);
  }
});

test('the bucket turns read-only half-way: the backup is Failed and never listed as Completed', async () => {
  const store = new MemoryStore();
  store.failStreamsAfterBytes = 64 * 1024;
  const backup = await run(store, 'big', 200);
  assert.is(backup.status.phase, 'Failed');
  assert.match(backup.status.failureReason ?? '', /read-only/);
  assert.not.ok(store.objects.has('backups/big/big.tar.gz'), 'no partial tarball left');
  const listed = await new StoredBackups(store).list();
  assert.not.ok(listed.some((b) => b.status.phase === 'Completed'));
  assert.equal(listed.map((b) => [b.metadata.name, b.status.phase]), [['big', 'Failed']]);
});

test("a store that closes the tarball stream before its error arrives (a full disk): the store's error is the reason", async () => {
  // As LocalStore fails: the write stops reading the stream, removes its temp file, then rejects.
  class FullDisk extends MemoryStore {
    override async put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void> {
      if (typeof body === 'string' || Buffer.isBuffer(body)) return super.put(key, body, options);
      let read = 0;
      for await (const chunk of body) if ((read += (chunk as Buffer).length) > 64 * 1024) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('the disk is full');
    }
  }
  const backup = await run(new FullDisk(), 'big', 200);
  assert.is(backup.status.phase, 'Failed');
  assert.match(backup.status.failureReason ?? '', /the disk is full/);
});

test('a store that refuses every write: Failed, nothing listed', async () => {
  const store = new MemoryStore();
  store.failAllPuts = true;
  const backup = await run(store, 'nope');
  assert.is(backup.status.phase, 'Failed');
  assert.match(backup.status.failureReason ?? '', /^cannot write to memory:\/\/test: AccessDenied/);
  assert.equal(await new StoredBackups(store).list(), []);
});

test('snapshots kept for a backup that could not be published are deleted: no stored file would name them', async () => {
  // The tarball goes in; the store refuses the small files that publish the backup.
  class RefusesRecords extends MemoryStore {
    override async put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void> {
      if (key.endsWith('velero-backup.json')) throw new Error('AccessDenied: quota exceeded');
      return super.put(key, body, options);
    }
  }
  const outcome = { files: { volumeSnapshots: [{ spec: { persistentVolumeName: 'pv-1' }, status: { providerSnapshotID: 'snap-1' } }] }, status: { volumeSnapshotsAttempted: 1, volumeSnapshotsCompleted: 1 } };
  const discarded: unknown[] = [];
  const finished: boolean[] = [];
  const backup = await createBackup({
    name: 'lost',
    veleroNamespace: 'velero',
    options: { storageLocation: 'default', includeNamespaces: ['shop'] },
    source: cluster(),
    target: new ObjectStoreBackupTarget(new RefusesRecords()),
    podSteps: () => ({
      snapshots: {
        actions: [],
        finish: async (failed) => (finished.push(failed), outcome),
        discard: async (o) => void discarded.push(o),
      },
    }),
  });
  assert.is(backup.status.phase, 'Failed');
  assert.match(backup.status.failureReason ?? '', /uploading the backup failed: .*quota exceeded/);
  assert.equal(finished, [false], 'the snapshots were kept when the items were in');
  assert.equal(discarded, [outcome], 'and deleted once publishing failed');
});

test('a published backup keeps its snapshots', async () => {
  const discarded: unknown[] = [];
  const backup = await createBackup({
    name: 'kept',
    veleroNamespace: 'velero',
    options: { storageLocation: 'default', includeNamespaces: ['shop'] },
    source: cluster(),
    target: new ObjectStoreBackupTarget(new MemoryStore()),
    podSteps: () => ({ snapshots: { actions: [], finish: async () => ({ files: {}, status: {} }), discard: async (o) => void discarded.push(o) } }),
  });
  assert.is(backup.status.phase, 'Completed');
  assert.equal(discarded, []);
});

test('while a backup runs it is listed InProgress; its heartbeat record goes when it is published', async () => {
  const store = new MemoryStore();
  const source = cluster(50);
  const list = source.list.bind(source);
  let seen: [string, string | undefined][] | undefined;
  source.list = async function* (...args: Parameters<typeof list>) {
    for await (const item of list(...args)) {
      seen ??= (await new StoredBackups(store).list()).map((b) => [b.metadata.name, b.status.phase]);
      yield item;
    }
  } as typeof source.list;
  const backup = await createBackup({ name: 'live', veleroNamespace: 'velero', options: { storageLocation: 'default', includeNamespaces: ['shop'] }, source, target: new ObjectStoreBackupTarget(store) });
  assert.equal(seen, [['live', 'InProgress']]);
  assert.is(backup.status.phase, 'Completed');
  assert.not.ok(store.objects.has('plugins/kubectl-velero/backups/live/in-progress.json'), 'the heartbeat record is removed');
  assert.equal((await new StoredBackups(store).list()).map((b) => b.status.phase), ['Completed']);
});

test('a backup whose process died: Failed once its heartbeat is stale, never while it beats; delete then cleans it', async () => {
  const store = new MemoryStore();
  const backup = JSON.parse(JSON.stringify(await run(store, 'template')));
  backup.metadata.name = 'killed';
  backup.status = { phase: 'InProgress', startTimestamp: backup.status.startTimestamp };
  const record = (ageSeconds: number) => JSON.stringify({ backup, heartbeat: new Date(Date.now() - ageSeconds * 1000).toISOString(), renewSeconds: 30, holder: 'host/123' });
  store.objects.set('plugins/kubectl-velero/backups/killed/in-progress.json', Buffer.from(record(10)));
  const backups = new StoredBackups(store);
  assert.is((await backups.get('killed')).status.phase, 'InProgress');
  await backups.delete('killed').then(() => assert.unreachable('a running backup is not deleted'), (e: Error) => assert.match(e.message, /backup "killed" is in progress \(host\/123/));
  await run(store, 'killed').then(() => assert.unreachable('its name is taken'), (e: Error) => assert.match(e.message, /already exists/));
  store.objects.set('plugins/kubectl-velero/backups/killed/in-progress.json', Buffer.from(record(121)));
  const dead = await backups.get('killed');
  assert.is(dead.status.phase, 'Failed');
  assert.match(dead.status.failureReason ?? '', /^the process running the backup \(host\/123\) stopped before it finished: no heartbeat since /);
  assert.equal((await backups.list()).map((b) => [b.metadata.name, b.status.phase]), [['killed', 'Failed'], ['template', 'Completed']]);
  await backups.delete('killed');
  assert.equal(await backups.names(), ['template']);
  assert.is((await run(store, 'killed')).status.phase, 'Completed');
});

test('delete removes velero-backup.json first and every file of the backup', async () => {
  const store = new MemoryStore();
  await run(store, 'a');
  await run(store, 'b');
  await new StoredBackups(store).delete('a');
  assert.not.ok([...store.objects.keys()].some((k) => k.startsWith('backups/a/')));
  assert.equal(await new StoredBackups(store).names(), ['b']);
});

test('interrupted (Ctrl-C) mid-backup: recorded Failed with the reason, no partial tarball left, the next backup works', async () => {
  const store = new MemoryStore();
  const interrupt = new AbortController();
  const source = cluster(400);
  // The cluster answers slowly, so the interruption lands while items are still being read.
  const list = source.list.bind(source);
  source.list = async function* (...args: Parameters<typeof list>) {
    for await (const item of list(...args)) {
      await new Promise((r) => setTimeout(r, 2));
      yield item;
    }
  } as typeof source.list;
  setTimeout(() => interrupt.abort('SIGINT'), 100);
  const backup = await createBackup({ name: 'cut', veleroNamespace: 'velero', options: { storageLocation: 'default', includeNamespaces: ['shop'] }, source, target: new ObjectStoreBackupTarget(store), signal: interrupt.signal });
  assert.is(backup.status.phase, 'Failed');
  assert.is(backup.status.failureReason, 'interrupted (SIGINT) before the backup was complete');
  assert.not.ok(store.objects.has('backups/cut/cut.tar.gz'), 'the partial tarball is removed');
  const stored = JSON.parse(store.objects.get('backups/cut/velero-backup.json')!.toString());
  assert.is(stored.status.phase, 'Failed');
  assert.is((await run(store, 'after')).status.phase, 'Completed');
});

test.run();
