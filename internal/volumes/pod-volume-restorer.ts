// Restore of file-system-backed volumes, Velero's way but through exec: the restored pod gets an
// init container that mounts its backed-up volumes and waits; once the pod's claims are bound and
// that container runs, the snapshots are streamed into it (`tar -x` through exec), then it is told
// to exit, and the application starts on the restored data. A failed restore leaves the init
// container waiting, so the application never starts on partial data; the error is in the results.
import type { Readable } from 'node:stream';
import type { KubeRequester } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { nameSegment, namespaceSegment } from '../kube/names.ts';
import type { PodExec } from './pod-exec.ts';
import { type PodVolumeBackupRecord, recordsForPod } from './records.ts';
import type { StepReport, VolumeLog } from './pod-volume-backupper.ts';
import { type StreamTarget, tarIn } from './volume-stream.ts';

/** Times a volume is streamed into tar -x when the stream, not the data, failed. */
const TAR_ATTEMPTS = 3;

/** tar -x failed after the whole snapshot was read and sent: the stream, not the data, is suspect. */
class TransportError extends Error {}

export const RESTORE_WAIT_CONTAINER = 'kubectl-velero-restore-wait';
/** Where the init container mounts each volume: /kubectl-velero/volumes/<volume name>. */
export const RESTORE_MOUNT_ROOT = '/kubectl-velero/volumes';
const DONE_MARKER = '/tmp/kubectl-velero-restored';
/** Busybox and Debian both have sh, sleep, tar and touch; the image must have them. */
export const DEFAULT_HELPER_IMAGE = 'busybox:1.36';

export interface SnapshotReader {
  readSnapshot(id: string, opts?: { signal?: AbortSignal }): Readable;
}

export interface PodVolumeRestorerOptions {
  records: PodVolumeBackupRecord[];
  exec: PodExec;
  client: KubeRequester;
  repository: () => Promise<SnapshotReader>;
  log: VolumeLog;
  helperImage?: string;
  /** How long to wait for the pod's init container to run (claims bound, image present). */
  waitTimeoutMs?: number;
  /** Volumes restored at once across pods. */
  concurrency?: number;
  pollMs?: number;
  /**
   * What a pod is waiting for, each time it changes (`shop/db-0: init container
   * kubectl-velero-restore-wait: ImagePullBackOff (busybox:1.36): …`), so a wrong
   * --volume-helper-image or an unbound claim shows at once, not at the timeout.
   */
  onWaiting?(line: string): void;
}

/** Waiting reasons that do not go away by themselves. */
const FATAL_WAITING = new Set(['ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError']);
/** The states every pod passes through on its way to running: not worth a line. */
const QUIET_WAITING = new Set(['PodInitializing', 'ContainerCreating']);

interface PodStatus {
  phase?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  initContainerStatuses?: { name: string; state?: { running?: unknown; waiting?: { reason?: string; message?: string } } }[];
}

/** What the restore-wait container of a pod is waiting for, in words: its own state, else the pod's. */
export function waitingFor(status: PodStatus | undefined, wait: NonNullable<PodStatus['initContainerStatuses']>[number] | undefined, image: string): string {
  const waiting = wait?.state?.waiting;
  if (waiting?.reason) {
    const pulling = /Image|Pull/.test(waiting.reason) ? ` (${image})` : '';
    return `init container ${RESTORE_WAIT_CONTAINER}: ${waiting.reason}${pulling}${waiting.message ? `: ${waiting.message}` : ''}`;
  }
  const unscheduled = status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `not scheduled: ${unscheduled.reason ?? 'Unschedulable'}${unscheduled.message ? `: ${unscheduled.message}` : ''}`;
  return status?.phase ? `pod ${status.phase}` : 'not yet scheduled';
}

type Container = { name: string; image?: string; [k: string]: unknown };

export class PodVolumeRestorer {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  bytesRestored = 0;

  constructor(private readonly opts: PodVolumeRestorerOptions) {}

  /** Records of the backed-up pod whose volume the restored pod still has. */
  private recordsFor(pod: KubeObject, original: KubeObject): PodVolumeBackupRecord[] {
    const volumes = new Set(((pod.spec as { volumes?: { name: string }[] }).volumes ?? []).map((v) => v.name));
    return recordsForPod(this.opts.records, original.metadata.namespace ?? '', original.metadata.name).filter((r) => volumes.has(r.spec.volume));
  }

  prepare(pod: KubeObject, original: KubeObject): KubeObject {
    const records = this.recordsFor(pod, original);
    if (!records.length) return pod;
    const spec = { ...(pod.spec as Record<string, unknown>) };
    const init = ((spec.initContainers as Container[] | undefined) ?? []).filter((c) => c.name !== RESTORE_WAIT_CONTAINER);
    const wait: Container = {
      name: RESTORE_WAIT_CONTAINER,
      image: this.opts.helperImage ?? DEFAULT_HELPER_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      command: ['sh', '-c', `until [ -f ${DONE_MARKER} ]; do sleep 1; done`],
      volumeMounts: records.map((r) => ({ name: r.spec.volume, mountPath: `${RESTORE_MOUNT_ROOT}/${r.spec.volume}` })),
    };
    // First, as Velero's restore-wait: no other init container sees the volume before its data.
    spec.initContainers = [wait, ...init];
    return { ...pod, spec };
  }

  async created(pod: KubeObject, original: KubeObject, report: StepReport): Promise<void> {
    const records = this.recordsFor(pod, original);
    if (!records.length) return;
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name;
    await this.waitForInitContainer(ns, name, pod.metadata.uid);
    for (const record of records) {
      await this.slot(async () => {
        const started = Date.now();
        const repository = await this.opts.repository();
        this.opts.log.info('Restoring volume', { pod: `${ns}/${name}`, volume: record.spec.volume, snapshot: record.status.snapshotID });
        let bytes = 0;
        for (let attempt = 1; ; attempt++) {
          try {
            bytes = await this.streamSnapshot(repository, record.status.snapshotID!, { namespace: ns, pod: name, container: RESTORE_WAIT_CONTAINER, path: `${RESTORE_MOUNT_ROOT}/${record.spec.volume}` });
            break;
          } catch (error) {
            // The exec stream through the API server and kubelet can lose its end (tar: Unexpected EOF
            // after every byte was sent; kubectl cp retries for the same reason). tar -x again over
            // the same directory rewrites every file; a repository error is not retried.
            if (!(error instanceof TransportError) || attempt >= TAR_ATTEMPTS) throw error instanceof TransportError ? new Error(`${error.message} (streamed ${attempt} times)`) : error;
            this.opts.log.info('Volume stream cut, streaming it again', { pod: `${ns}/${name}`, volume: record.spec.volume, attempt, error: error.message });
          }
        }
        this.bytesRestored += bytes;
        this.opts.log.info('Volume restored', { pod: `${ns}/${name}`, volume: record.spec.volume, bytes, seconds: ((Date.now() - started) / 1000).toFixed(1) });
      }).catch((error: unknown) => {
        throw new Error(`restoring volume ${record.spec.volume} of pod ${ns}/${name} from snapshot ${record.status.snapshotID} failed: ${(error as Error).message}; the pod stays in its init container`);
      });
    }
    const done = await this.opts.exec({ namespace: ns, pod: name, container: RESTORE_WAIT_CONTAINER, command: ['touch', DONE_MARKER] });
    if (done.exitCode !== 0) report.error(`pod ${ns}/${name}: could not release the restore-wait init container (exit ${done.exitCode}: ${done.message ?? ''})`);
  }

  /** One stream of a snapshot into tar -x; the bytes sent. A failure after the whole snapshot was read is a TransportError. */
  private async streamSnapshot(repository: SnapshotReader, snapshotId: string, target: StreamTarget): Promise<number> {
    const abort = new AbortController();
    const data = repository.readSnapshot(snapshotId, { signal: abort.signal });
    let bytes = 0;
    let readError: unknown;
    let readAll = false;
    // Counted as tar takes it (backpressure kept). A repository error (missing chunk, bad hash)
    // aborts the exec, so tar never sees a clean end of a truncated archive.
    async function* counted(): AsyncIterable<Uint8Array> {
      try {
        for await (const chunk of data) {
          bytes += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        readAll = true;
      } catch (error) {
        readError = error;
        abort.abort();
        throw error;
      }
    }
    try {
      await tarIn(this.opts.exec, target, counted(), abort.signal);
    } catch (error) {
      if (readError) throw readError;
      throw readAll ? new TransportError((error as Error).message) : error;
    }
    if (readError) throw readError;
    return bytes;
  }

  private async waitForInitContainer(ns: string, name: string, uid: string | undefined): Promise<void> {
    const deadline = Date.now() + (this.opts.waitTimeoutMs ?? 600_000);
    let last = 'not yet scheduled';
    let told = '';
    for (;;) {
      const live = await this.opts.client.getJson<KubeObject>(`/api/v1/namespaces/${namespaceSegment(ns)}/pods/${nameSegment(name)}`);
      if (uid && live.metadata.uid !== uid) throw new Error(`pod ${ns}/${name} was replaced before its volumes were restored`);
      const status = live.status as PodStatus | undefined;
      const wait = status?.initContainerStatuses?.find((s) => s.name === RESTORE_WAIT_CONTAINER);
      if (wait?.state?.running) return;
      const reason = wait?.state?.waiting?.reason;
      if (reason && FATAL_WAITING.has(reason)) throw new Error(`pod ${ns}/${name}: the restore-wait init container cannot start (${reason}: ${wait!.state!.waiting!.message ?? ''}); check --volume-helper-image`);
      last = waitingFor(status, wait, this.opts.helperImage ?? DEFAULT_HELPER_IMAGE);
      // Told once per change, not at every poll; the start-up states everyone passes through are not news.
      if (last !== told && !QUIET_WAITING.has(reason ?? '')) {
        told = last;
        this.opts.onWaiting?.(`${ns}/${name}: ${last}`);
        this.opts.log.info('Waiting for pod', { pod: `${ns}/${name}`, for: last });
      }
      if (Date.now() > deadline) throw new Error(`pod ${ns}/${name}: the restore-wait init container did not start in time (${last})`);
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 1000));
    }
  }

  private async slot<T>(work: () => Promise<T>): Promise<T> {
    const limit = this.opts.concurrency ?? 2;
    if (this.running >= limit) await new Promise<void>((r) => this.queue.push(r));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}
