// The backupper and restorer against a scripted exec and an in-memory snapshot store: what runs in
// which container, the records, failures on either side, and the restore-wait init container.
import { Readable, type Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import type { PodExecOptions, PodExecResult } from './pod-exec.ts';
import { PodVolumeBackupper, type SnapshotWriter } from './pod-volume-backupper.ts';
import { PodVolumeRestorer, RESTORE_WAIT_CONTAINER } from './pod-volume-restorer.ts';

const backupRef = { name: 'b1', namespace: 'velero', uid: 'u-b1', storageLocation: 'default' };
const log = { info: () => undefined };

function dbPod(phase = 'Running'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', namespace: 'shop', uid: 'pod-uid', annotations: { 'backup.velero.io/backup-volumes': 'data' } },
    spec: { nodeName: 'n1', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }], containers: [{ name: 'db', image: 'db', volumeMounts: [{ name: 'data', mountPath: '/var/lib/db' }] }] },
    status: { phase },
  } as KubeObject;
}

class MemoryRepo implements SnapshotWriter {
  snapshots = new Map<string, Buffer>();
  failAfter?: number;
  async writeSnapshot(source: AsyncIterable<Uint8Array>, meta: { volume: string }) {
    const parts: Buffer[] = [];
    for await (const c of source) {
      parts.push(Buffer.from(c));
      if (this.failAfter !== undefined && Buffer.concat(parts).length > this.failAfter) throw new Error('store unreachable');
    }
    const id = `snap-${this.snapshots.size}-${meta.volume}`;
    this.snapshots.set(id, Buffer.concat(parts));
    return { id, totalBytes: Buffer.concat(parts).length, newBytes: 1, uploadedBytes: 2 };
  }
  readSnapshot(id: string) {
    const data = this.snapshots.get(id);
    if (!data) return new Readable({ read() { this.destroy(new Error(`snapshot ${id}: chunk missing`)); } });
    return Readable.from([data.subarray(0, 5), data.subarray(5)]);
  }
}

/** An exec that plays tar: `tar -c` writes `volume`, `tar -x` collects stdin. */
function scriptedExec(volume: Buffer, opts: { exitCode?: number; cutExtracts?: number } = {}) {
  const calls: PodExecOptions[] = [];
  const extracted: Buffer[] = [];
  const exec = async (o: PodExecOptions): Promise<PodExecResult> => {
    calls.push(o);
    if (o.command[0] === 'tar' && o.command.includes('-cf')) {
      for (let i = 0; i < volume.length; i += 1000) await new Promise<void>((r) => (o.stdout as Writable).write(volume.subarray(i, i + 1000), () => r()));
      if (opts.exitCode) (o.stderr as Writable).write('tar: /var/lib/db: Cannot open: Permission denied\n');
      return { exitCode: opts.exitCode ?? 0 };
    }
    if (o.command[0] === 'tar') {
      const got: Buffer[] = [];
      for await (const c of o.stdin!) got.push(Buffer.from(c));
      // The stream cut on its way: everything was sent, tar saw an early end.
      if ((opts.cutExtracts ?? 0) > calls.filter((c) => c.command.includes('-xpf')).length - 1) {
        (o.stderr as Writable).write('tar: Unexpected EOF in archive\n');
        return { exitCode: 2 };
      }
      extracted.push(...got);
      return { exitCode: 0 };
    }
    return { exitCode: 0 };
  };
  return { exec, calls, extracted };
}

const report = () => {
  const r = { warnings: [] as string[], errors: [] as string[] };
  return { r, report: { warn: (m: string) => r.warnings.push(m), error: (m: string) => r.errors.push(m) } };
};

test('a running pod: tar in the mounting container, the stream stored, a Completed record', async () => {
  const repo = new MemoryRepo();
  const volume = Buffer.alloc(10_000, 7);
  const { exec, calls } = scriptedExec(volume);
  const b = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec, repository: async () => repo, log });
  const { r, report: rep } = report();
  await b.backup(dbPod(), rep);
  assert.equal(r, { warnings: [], errors: [] });
  assert.equal(calls[0]!.command, ['tar', '--numeric-owner', '-cf', '-', '-C', '/var/lib/db', '.']);
  assert.is(calls[0]!.container, 'db');
  const [record] = b.records;
  assert.is(record!.status.phase, 'Completed');
  assert.equal(repo.snapshots.get(record!.status.snapshotID!), volume);
  assert.equal(record!.spec.pod, { kind: 'Pod', namespace: 'shop', name: 'db-0', uid: 'pod-uid' });
  assert.is(record!.metadata.annotations!['velero.io/pvc-name'], 'data-db-0');
  assert.is(record!.status.progress.totalBytes, 10_000);
});

test('volume policies: fs-backup takes a volume no annotation names, skip drops an annotated one; a failed lookup is an error', async () => {
  const repo = new MemoryRepo();
  const { exec, calls } = scriptedExec(Buffer.alloc(100, 3));
  const noted: string[] = [];
  const plain = { ...dbPod(), metadata: { ...dbPod().metadata, annotations: {} } } as KubeObject;
  const fs = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec, repository: async () => repo, log, policyAction: async () => 'fs-backup' });
  await fs.backup(plain, report().report);
  assert.equal([calls.length, fs.records[0]?.spec.volume], [1, 'data']);
  const skip = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: true, exec, repository: async () => repo, log: { info: (m, f) => noted.push(`${m} ${f?.volume}`) }, policyAction: async () => 'skip' });
  await skip.backup(dbPod(), report().report);
  assert.equal([calls.length, skip.records.length], [1, 0]);
  assert.equal(noted, ['Volume not backed up by file-system backup: its volume policy action is skip data']);
  const broken = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec, repository: async () => repo, log, policyAction: async () => Promise.reject(new Error('apiserver down')) });
  const { r, report: rep } = report();
  await broken.backup(dbPod(), rep);
  assert.equal(r.errors, ['volumes of pod shop/db-0 not backed up: applying the volume policies failed: apiserver down']);
});

test('tar failing is an error and leaves no snapshot; a stopped store is an error too', async () => {
  const repo = new MemoryRepo();
  const failing = scriptedExec(Buffer.alloc(5000, 1), { exitCode: 2 });
  const b = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec: failing.exec, repository: async () => repo, log });
  const one = report();
  await b.backup(dbPod(), one.report);
  assert.is(repo.snapshots.size, 0);
  assert.match(one.r.errors[0]!, /pod volume backup failed for shop\/db-0 volume data: tar of \/var\/lib\/db .* exited 2: tar: \/var\/lib\/db: Cannot open/);
  assert.is(b.records[0]!.status.phase, 'Failed');

  repo.failAfter = 3000;
  const ok = scriptedExec(Buffer.alloc(10_000, 1));
  const b2 = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec: ok.exec, repository: async () => repo, log });
  const two = report();
  await b2.backup(dbPod(), two.report);
  assert.match(two.r.errors[0]!, /store unreachable/);
  assert.is(repo.snapshots.size, 0);
});

test('an exec refused before the repository reads (403 on pods/exec) is an error of the volume, not a crash', async () => {
  // The repository takes its time before it reads (as the real one takes its lock), so the refusal
  // comes before anything reads the stream.
  const repo = new MemoryRepo();
  const write = repo.writeSnapshot.bind(repo);
  repo.writeSnapshot = async (source, meta) => {
    await new Promise((r) => setTimeout(r, 50));
    return write(source, meta);
  };
  const refused = async (): Promise<PodExecResult> => {
    throw new Error('exec in shop/db-0 (db) refused (403): pods "db-0" is forbidden: cannot get resource "pods/exec"');
  };
  const b = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec: refused, repository: async () => repo, log });
  const { r, report: rep } = report();
  await b.backup(dbPod(), rep);
  assert.match(r.errors[0]!, /pod volume backup failed for shop\/db-0 volume data: exec in shop\/db-0 \(db\) refused \(403\)/);
  assert.is(b.records[0]!.status.phase, 'Failed');
  assert.is(repo.snapshots.size, 0);
});

test('a pod that is not running is a warning; a claim is backed up once across pods', async () => {
  const repo = new MemoryRepo();
  const { exec, calls } = scriptedExec(Buffer.alloc(10, 1));
  const b = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec, repository: async () => repo, log });
  const one = report();
  await b.backup(dbPod('Pending'), one.report);
  assert.match(one.r.warnings[0]!, /not backed up: the pod is Pending/);
  await b.backup(dbPod(), one.report);
  const other = dbPod();
  other.metadata.name = 'db-reader';
  await b.backup(other, one.report);
  assert.is(calls.length, 1);
});

test('restore: the init container mounts the volumes first; data streamed in, then released', async () => {
  const repo = new MemoryRepo();
  const volume = Buffer.from('x'.repeat(3000));
  const backupSide = scriptedExec(volume);
  const b = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec: backupSide.exec, repository: async () => repo, log });
  await b.backup(dbPod(), report().report);

  const restoreSide = scriptedExec(Buffer.alloc(0));
  let polls = 0;
  const client = {
    async getJson<T>() {
      polls++;
      return { metadata: { name: 'db-0', namespace: 'shop-m', uid: 'new' }, status: { initContainerStatuses: [{ name: RESTORE_WAIT_CONTAINER, state: polls < 2 ? { waiting: { reason: 'PodInitializing' } } : { running: {} } }] } } as T;
    },
  };
  const restorer = new PodVolumeRestorer({ records: b.records, exec: restoreSide.exec, client, repository: async () => repo, log, pollMs: 1, helperImage: 'tools' });
  const target = { ...dbPod(), metadata: { name: 'db-0', namespace: 'shop-m' } } as KubeObject;
  (target.spec as any).initContainers = [{ name: 'app-init', image: 'x' }];
  const prepared = restorer.prepare(target, dbPod());
  const inits = (prepared.spec as any).initContainers;
  assert.equal(inits.map((c: any) => c.name), [RESTORE_WAIT_CONTAINER, 'app-init']);
  assert.equal(inits[0].volumeMounts, [{ name: 'data', mountPath: '/kubectl-velero/volumes/data' }]);
  const rep = report();
  await restorer.created({ ...prepared, metadata: { ...prepared.metadata, uid: 'new' } }, dbPod(), rep.report);
  assert.equal(rep.r, { warnings: [], errors: [] });
  assert.equal(Buffer.concat(restoreSide.extracted), volume);
  assert.equal(restoreSide.calls.map((c) => [c.namespace, c.container, c.command[0]]), [['shop-m', RESTORE_WAIT_CONTAINER, 'tar'], ['shop-m', RESTORE_WAIT_CONTAINER, 'touch']]);
  assert.is(restorer.prepare(target, { ...dbPod(), metadata: { name: 'other', namespace: 'shop' } } as KubeObject), target, 'a pod without records is unchanged');
});

test('restore: a broken snapshot fails with a clear error and the init container is not released', async () => {
  const repo = new MemoryRepo();
  const b = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec: scriptedExec(Buffer.alloc(100, 2)).exec, repository: async () => repo, log });
  await b.backup(dbPod(), report().report);
  repo.snapshots.clear();
  const restoreSide = scriptedExec(Buffer.alloc(0));
  const client = { async getJson<T>() { return { metadata: { uid: 'new' }, status: { initContainerStatuses: [{ name: RESTORE_WAIT_CONTAINER, state: { running: {} } }] } } as T; } };
  const restorer = new PodVolumeRestorer({ records: b.records, exec: restoreSide.exec, client, repository: async () => repo, log, pollMs: 1 });
  const pod = { ...restorer.prepare(dbPod(), dbPod()), metadata: { name: 'db-0', namespace: 'shop', uid: 'new' } } as KubeObject;
  const error = await restorer.created(pod, dbPod(), report().report).then(() => undefined, (e: Error) => e);
  assert.match(String(error?.message), /^restoring volume data of pod shop\/db-0 from snapshot snap-0-data failed: snapshot snap-0-data: chunk missing; the pod stays in its init container$/);
  assert.not.ok(restoreSide.calls.some((c) => c.command[0] === 'touch'));
});

test('restore: a stream cut after every byte was sent is streamed again; cut every time, the error says so', async () => {
  const volume = Buffer.from('y'.repeat(2500));
  const repo = new MemoryRepo();
  const b = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec: scriptedExec(volume).exec, repository: async () => repo, log });
  await b.backup(dbPod(), report().report);
  const client = { async getJson<T>() { return { metadata: { uid: 'new' }, status: { initContainerStatuses: [{ name: RESTORE_WAIT_CONTAINER, state: { running: {} } }] } } as T; } };
  const run = async (cutExtracts: number) => {
    const side = scriptedExec(Buffer.alloc(0), { cutExtracts });
    const restorer = new PodVolumeRestorer({ records: b.records, exec: side.exec, client, repository: async () => repo, log, pollMs: 1 });
    const pod = { ...restorer.prepare(dbPod(), dbPod()), metadata: { name: 'db-0', namespace: 'shop', uid: 'new' } } as KubeObject;
    const error = await restorer.created(pod, dbPod(), report().report).then(() => undefined, (e: Error) => e);
    return { side, error };
  };
  const once = await run(1);
  assert.is(once.error, undefined);
  assert.equal(Buffer.concat(once.side.extracted), volume);
  assert.equal(once.side.calls.map((c) => c.command[0]), ['tar', 'tar', 'touch']);
  const always = await run(99);
  assert.match(String(always.error?.message), /exited 2: tar: Unexpected EOF in archive \(streamed 3 times\); the pod stays in its init container$/);
  assert.not.ok(always.side.calls.some((c) => c.command[0] === 'touch'));
});

test('restore: what the pod waits for is told once per change, with the image when it is an image problem', async () => {
  const repo = new MemoryRepo();
  const backupSide = scriptedExec(Buffer.from('y'.repeat(100)));
  const b = new PodVolumeBackupper({ backup: backupRef, defaultVolumesToFsBackup: false, exec: backupSide.exec, repository: async () => repo, log });
  await b.backup(dbPod(), report().report);
  const states: unknown[] = [
    { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.' }] },
    { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.' }] },
    { phase: 'Pending', initContainerStatuses: [{ name: RESTORE_WAIT_CONTAINER, state: { waiting: { reason: 'PodInitializing' } } }] },
    { phase: 'Pending', initContainerStatuses: [{ name: RESTORE_WAIT_CONTAINER, state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied\r\u202e' } } }] },
    { phase: 'Pending', initContainerStatuses: [{ name: RESTORE_WAIT_CONTAINER, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox:1.36"' } } }] },
    { phase: 'Pending', initContainerStatuses: [{ name: RESTORE_WAIT_CONTAINER, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox:1.36"' } } }] },
  ];
  let poll = 0;
  const client = { async getJson<T>() { return { metadata: { uid: 'new' }, status: states[Math.min(poll++, states.length - 1)] } as T; } };
  const told: string[] = [];
  const restorer = new PodVolumeRestorer({ records: b.records, exec: scriptedExec(Buffer.alloc(0)).exec, client, repository: async () => repo, log, pollMs: 1, waitTimeoutMs: 200, onWaiting: (line) => told.push(line) });
  const pod = { ...restorer.prepare(dbPod(), dbPod()), metadata: { name: 'db-0', namespace: 'shop', uid: 'new' } } as KubeObject;
  const error = await restorer.created(pod, dbPod(), report().report).then(() => undefined, (e: Error) => e);
  assert.equal(told, [
    'shop/db-0: not scheduled: Unschedulable: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
    'shop/db-0: init container kubectl-velero-restore-wait: ErrImagePull (busybox:1.36): pull access denied\r\u202e',
    'shop/db-0: init container kubectl-velero-restore-wait: ImagePullBackOff (busybox:1.36): Back-off pulling image "busybox:1.36"',
  ]);
  assert.match(String(error?.message), /^pod shop\/db-0: the restore-wait init container did not start in time \(init container kubectl-velero-restore-wait: ImagePullBackOff \(busybox:1\.36\)/);
});

test.run();
