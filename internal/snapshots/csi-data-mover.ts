// `--snapshot-move-data`: a ready CSI snapshot's files go into the backup location's deduplicated
// volume repository, so they survive the cluster and move to another one. From the snapshot, a
// temporary claim (dataSource: the VolumeSnapshot) and a short-lived pod mounting it read-only;
// tar streams the files through exec into the repository exactly as a file-system backup does, and
// the data is recorded under the application pod that uses the claim, so a restore provisions a
// new volume and streams the files in before the application starts. The temporary objects go
// afterwards, whatever happened.
import type { KubeWriter } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { nameSegment, namespaceSegment } from '../kube/names.ts';
import { isNotFound, pollUntil } from './csi-api.ts';
import { BACKUP_NAME_LABEL, quantityBytes, SNAPSHOT_GROUP, binaryQuantity } from './csi-objects.ts';

export const MOVER_LABEL = 'kubectl-velero.io/snapshot-mover';
const MOUNT = '/snapshot';
const CONTAINER = 'mover';

/** What the repository step returns for one volume. */
export interface MovedVolume {
  snapshotId: string;
  totalBytes: number;
  uploadedBytes: number;
}

export interface DataMoverOptions {
  client: KubeWriter;
  backupName: string;
  /**
   * Image of the mover pod: needs `sleep` and `tar` (the restore-wait image will do). With GNU tar,
   * `sh` and `zstd` too, the archive is compressed in the pod before it crosses the API server.
   */
  helperImage: string;
  /** How long the temporary claim and pod get to be ready. */
  timeoutMs: number;
  /** The repository step: reads `source`, records the data under `pod`/`volume`. */
  backupFrom(pod: KubeObject, volume: string, claim: string, source: { namespace: string; pod: string; container: string; path: string; ours?: boolean }): Promise<MovedVolume>;
  log: { info(message: string): void; warn(message: string): void };
}

export interface MoveRequest {
  /** The claim as backed up. */
  claim: KubeObject;
  /** The ready VolumeSnapshot of it. */
  snapshot: KubeObject;
  restoreSize?: number;
  /** The application pod the data is recorded under, and its volume that uses the claim. */
  pod: KubeObject;
  volume: string;
}

const podsPath = (ns: string) => `/api/v1/namespaces/${namespaceSegment(ns)}/pods`;
const claimsPath = (ns: string) => `/api/v1/namespaces/${namespaceSegment(ns)}/persistentvolumeclaims`;

/** Kubernetes names: at most 63 characters for a pod's hostname-derived labels. */
function moverName(snapshot: string): string {
  const name = `kv-move-${snapshot}`;
  return name.length <= 63 ? name : name.slice(0, 63).replace(/-+$/, '');
}

export class SnapshotDataMover {
  constructor(private readonly opts: DataMoverOptions) {}

  async move(req: MoveRequest): Promise<MovedVolume> {
    const ns = req.claim.metadata.namespace!;
    const name = moverName(req.snapshot.metadata.name);
    const labels = { [MOVER_LABEL]: 'true', [BACKUP_NAME_LABEL]: req.snapshot.metadata.labels?.[BACKUP_NAME_LABEL] ?? '', 'velero.io/exclude-from-backup': 'true' };
    try {
      await this.opts.client.sendJson('POST', claimsPath(ns), this.temporaryClaim(req, name, labels));
      await this.opts.client.sendJson('POST', podsPath(ns), this.moverPod(ns, name, labels));
      await this.waitRunning(ns, name);
      this.opts.log.info(`Moving the data of claim ${ns}/${req.claim.metadata.name} from VolumeSnapshot ${req.snapshot.metadata.name} (pod ${ns}/${name})`);
      return await this.opts.backupFrom(req.pod, req.volume, req.claim.metadata.name, { namespace: ns, pod: name, container: CONTAINER, path: MOUNT, ours: true });
    } finally {
      await this.cleanUp(ns, name);
    }
  }

  /** A claim like the original (class, access modes, at least the snapshot's size), provisioned from the snapshot. */
  private temporaryClaim(req: MoveRequest, name: string, labels: Record<string, string>): KubeObject {
    const spec = req.claim.spec as { accessModes?: string[]; storageClassName?: string; volumeMode?: string; resources?: { requests?: { storage?: string } } };
    const requested = spec.resources?.requests?.storage ?? '1Gi';
    const storage = req.restoreSize !== undefined && quantityBytes(requested) < req.restoreSize ? binaryQuantity(req.restoreSize) : requested;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: req.claim.metadata.namespace, labels },
      spec: {
        accessModes: spec.accessModes ?? ['ReadWriteOnce'],
        ...(spec.storageClassName ? { storageClassName: spec.storageClassName } : {}),
        ...(spec.volumeMode ? { volumeMode: spec.volumeMode } : {}),
        resources: { requests: { storage } },
        dataSource: { apiGroup: SNAPSHOT_GROUP, kind: 'VolumeSnapshot', name: req.snapshot.metadata.name },
      },
    };
  }

  private moverPod(namespace: string, name: string, labels: Record<string, string>): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        containers: [
          {
            name: CONTAINER,
            image: this.opts.helperImage,
            imagePullPolicy: 'IfNotPresent',
            command: ['sleep', '86400'],
            // Root reads every file of the volume whatever its owner (a database's 0700 data dir).
            securityContext: { runAsUser: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
            volumeMounts: [{ name: 'snapshot', mountPath: MOUNT, readOnly: true }],
          },
        ],
        volumes: [{ name: 'snapshot', persistentVolumeClaim: { claimName: name, readOnly: true } }],
      },
    };
  }

  private async waitRunning(namespace: string, name: string): Promise<void> {
    let last = 'not scheduled yet';
    const running = await pollUntil(async () => {
      const pod = await this.opts.client.getJson<{ status?: { phase?: string; conditions?: { type: string; status: string; message?: string }[]; containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[] } }>(`${podsPath(namespace)}/${nameSegment(name)}`);
      const phase = pod.status?.phase;
      if (phase === 'Running') return true;
      if (phase === 'Failed' || phase === 'Succeeded') throw new Error(`the mover pod ${namespace}/${name} ended (${phase}) before the data was read`);
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      last = waiting?.reason ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : unscheduled?.message ?? `phase ${phase ?? 'Pending'}`;
      return undefined;
    }, this.opts.timeoutMs);
    if (!running) throw new Error(`the mover pod ${namespace}/${name} was not running within ${Math.round(this.opts.timeoutMs / 1000)} s (${last})`);
  }

  /** The pod, then its claim; waited for, so a finished backup leaves no temporary object. */
  private async cleanUp(namespace: string, name: string): Promise<void> {
    const remove = async (path: string) => {
      try {
        await this.opts.client.sendJson('DELETE', path, { gracePeriodSeconds: 0 });
      } catch (error) {
        if (!isNotFound(error)) this.opts.log.warn(`cannot delete ${path}: ${(error as Error).message}`);
        return;
      }
      const gone = await pollUntil(async () => {
        try {
          await this.opts.client.getJson(path);
          return undefined;
        } catch (error) {
          if (isNotFound(error)) return true;
          throw error;
        }
      }, 120_000).catch(() => undefined);
      if (!gone) this.opts.log.warn(`${path} is still being deleted`);
    };
    await remove(`${podsPath(namespace)}/${nameSegment(name)}`);
    await remove(`${claimsPath(namespace)}/${nameSegment(name)}`);
  }
}
