// CSI snapshots during a backup, Velero v1.18's way (pkg/backup/actions/csi): each bound claim of a
// CSI volume that is not opted into file-system backup gets a VolumeSnapshot of the driver's
// labelled class, waited until ready, and the claim, the snapshot, its content and class go into
// the backup. The claim is reached from its pod, so this runs between the pod's pre and post hooks:
// a pre hook that freezes or checkpoints makes the snapshot consistent.
//
// Where we differ from Velero: a snapshot that fails (no class, not ready in time) is an error
// naming the claim, but the claim itself is still backed up (Velero drops it from the backup).
import type { ActionContext, BackupItemAction } from '../backup/actions/index.ts';
import { validLabelValue } from '../backup/backup-object.ts';
import type { KubeObject } from '../kube/list.ts';
import { ClaimUsage, forbiddenAs } from './claim-usage.ts';
import { CsiApi, pollUntil } from './csi-api.ts';
import {
  BACKUP_NAME_LABEL,
  CLASS_ANNOTATION,
  CLASS_SELECTOR_LABEL,
  claimWithSnapshot,
  newVolumeSnapshot,
  snapshotWithContentFacts,
  VOLUME_SNAPSHOT_CONTENTS,
  VOLUME_SNAPSHOT_CLASSES,
  VOLUME_SNAPSHOTS,
  type VolumeSnapshot,
  type VolumeSnapshotClass,
  type VolumeSnapshotContent,
} from './csi-objects.ts';
import type { MovedVolume, SnapshotDataMover } from './csi-data-mover.ts';
import { SnapshotChoice, type VolumePolicyAction } from './snapshot-choice.ts';
import type { BackupOperation, BackupVolumeInfo } from './volume-info.ts';

export interface CsiBackupOptions {
  api: CsiApi;
  backup: { name: string; uid: string; annotations?: Record<string, string>; snapshotVolumes?: boolean; defaultVolumesToFsBackup?: boolean; snapshotMoveData?: boolean };
  /** With --snapshot-move-data: moves a ready snapshot's files into the volume repository. */
  mover?: SnapshotDataMover;
  /** The backup's volume policies, when it has any (see SnapshotChoice). */
  policyAction?: VolumePolicyAction;
  /** --csi-snapshot-timeout, in ms (Velero's default 10m). */
  timeoutMs: number;
  log: { info(message: string): void; warn(message: string): void };
  now?: () => Date;
}

/** One snapshot this backup took (or failed to take). */
interface Taken {
  claim: KubeObject;
  pvName: string;
  pvInfo: { reclaimPolicy: string; labels: Record<string, string> };
  snapshot?: VolumeSnapshot;
  content?: VolumeSnapshotContent;
  /** The objects as stored in the backup, for the CSI files. */
  storedSnapshot?: KubeObject;
  operationId?: string;
  started: string;
  completed?: string;
  error?: string;
  /** With --snapshot-move-data: the application pod and volume the moved data is recorded under. */
  move?: { pod: KubeObject; volume: string };
  moved?: MovedVolume;
  /** Resolves when the snapshot is ready or has failed (a lister may meet the snapshot before that). */
  settled: Promise<void>;
}

/** Where finish() reports a failure without failing the backup. */
export interface FinishReport {
  error(namespace: string | undefined, message: string): void;
}

export interface CsiBackupFiles {
  volumeSnapshots: KubeObject[];
  volumeSnapshotContents: KubeObject[];
  volumeSnapshotClasses: KubeObject[];
  volumeInfo: BackupVolumeInfo[];
  itemOperations: BackupOperation[];
  attempted: number;
  completed: number;
}

export class CsiBackup {
  private readonly taken: Taken[] = [];
  private readonly contents = new Map<string, KubeObject>();
  private readonly classes = new Map<string, KubeObject>();
  /** Which pods use which claims (shared with the native snapshot step). */
  readonly usage: ClaimUsage;
  /** Which volumes get a snapshot (shared with the native snapshot step). */
  readonly choice: SnapshotChoice;
  private readonly now: () => Date;

  constructor(private readonly opts: CsiBackupOptions) {
    this.now = opts.now ?? (() => new Date());
    this.usage = new ClaimUsage((ns) => opts.api.pods(ns), opts.backup.defaultVolumesToFsBackup ?? false);
    this.choice = new SnapshotChoice({ snapshotVolumes: opts.backup.snapshotVolumes, usage: this.usage, policyAction: opts.policyAction });
  }

  /** The backup item actions: Velero's csi-pvc-backupper and csi-volumesnapshot-backupper. */
  get actions(): BackupItemAction[] {
    return [
      { name: 'velero.io/csi-pvc-backupper', appliesTo: ['persistentvolumeclaims'], execute: (item, ctx) => this.snapshotClaim(item, ctx) },
      { name: 'velero.io/csi-volumesnapshot-backupper', appliesTo: [VOLUME_SNAPSHOTS], execute: (item) => this.describeSnapshot(item) },
      { name: 'velero.io/csi-volumesnapshotcontent-backupper', appliesTo: [VOLUME_SNAPSHOT_CONTENTS], execute: async (item) => this.remember(this.contents, item) },
      { name: 'velero.io/csi-volumesnapshotclass-backupper', appliesTo: [VOLUME_SNAPSHOT_CLASSES], execute: async (item) => this.remember(this.classes, item) },
    ];
  }

  private remember(into: Map<string, KubeObject>, item: KubeObject) {
    into.set(item.metadata.name, item);
    return { item, additionalItems: [] };
  }

  private async snapshotClaim(claim: KubeObject, ctx: ActionContext) {
    const unchanged = { item: claim, additionalItems: [] };
    if (!this.choice.possible) return unchanged;
    const spec = claim.spec as { volumeName?: string; storageClassName?: string } | undefined;
    const phase = (claim.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Bound' || !spec?.volumeName) return unchanged;
    const where = `${claim.metadata.namespace}/${claim.metadata.name}`;
    // Not allowed to read volumes (or the namespace's pods): no snapshot is attempted; the volume
    // step of the claim's own action already warns that its PV is missing.
    const pv = await this.opts.api.persistentVolume(spec.volumeName).catch(forbiddenAs(undefined));
    const csi = (pv?.spec as { csi?: { driver?: string } } | undefined)?.csi;
    if (!pv || !csi?.driver) return unchanged; // not a CSI volume: native snapshots or nothing
    if (!(await this.choice.wanted(claim.metadata, { claim, pv }))) return unchanged;

    const pvSpec = pv.spec as { persistentVolumeReclaimPolicy?: string };
    let settle!: () => void;
    const taken: Taken = {
      claim,
      pvName: pv.metadata.name,
      pvInfo: { reclaimPolicy: pvSpec.persistentVolumeReclaimPolicy ?? '', labels: pv.metadata.labels ?? {} },
      started: rfc3339(this.now()),
      settled: new Promise<void>((resolve) => (settle = resolve)),
    };
    this.taken.push(taken);
    try {
      if (!spec.storageClassName) throw new Error('the claim has no storage class');
      const sc = await this.opts.api.storageClass(spec.storageClassName);
      const driver = (sc as { provisioner?: string } | undefined)?.provisioner ?? csi.driver;
      const className = await this.snapshotClassFor(driver, claim);
      const moving = this.opts.backup.snapshotMoveData === true && this.opts.mover !== undefined;
      const wanted = newVolumeSnapshot(claim, className, this.opts.backup.name);
      // A snapshot whose data is moved is not itself part of the backup, even if a lister meets it.
      if (moving) wanted.metadata.labels = { ...wanted.metadata.labels, [EXCLUDE_LABEL]: 'true' };
      const created = await this.opts.api.createSnapshot(wanted);
      taken.snapshot = created;
      this.opts.log.info(`Created VolumeSnapshot ${created.metadata.namespace}/${created.metadata.name} of claim ${where} (class ${className})`);
      const ready = await this.waitReady(created);
      taken.snapshot = ready.snapshot;
      taken.content = ready.content;
      taken.completed = rfc3339(this.now());
      taken.operationId = `${created.metadata.namespace}/${created.metadata.name}/${rfc3339(this.now())}`;
      if (moving) {
        const user = await this.usage.runningUser(claim.metadata.namespace!, claim.metadata.name);
        if (user) {
          // The files are moved once every item is in; the claim is stored as it is.
          taken.move = user;
          taken.operationId = `du-${this.opts.backup.uid}.${claim.metadata.uid ?? claim.metadata.name}`;
          return unchanged;
        }
        // Nothing to restore the files into later: the snapshot is kept, as without moving.
        this.opts.log.warn(`no running pod mounts claim ${where}: its data stays in the CSI snapshot instead of being moved`);
      }
      return {
        item: claimWithSnapshot(claim, created.metadata.name, this.opts.backup.name, ready.content.status?.restoreSize),
        additionalItems: [{ groupResource: VOLUME_SNAPSHOTS, namespace: created.metadata.namespace, name: created.metadata.name }],
      };
    } catch (error) {
      taken.error = `CSI snapshot of claim ${where} failed: ${(error as Error).message}`;
      taken.completed = rfc3339(this.now());
      ctx.error?.(claim.metadata.namespace, taken.error);
      // Nothing is left behind: the snapshot (and with the class's policy, its content) goes.
      if (taken.snapshot) await this.discard(taken.snapshot).catch(() => undefined);
      taken.snapshot = undefined;
      return unchanged;
    } finally {
      settle();
    }
  }

  /** Velero's order: the claim's annotation, the backup's `…_<driver>` annotation, else the one labelled class of the driver. */
  private async snapshotClassFor(driver: string, claim: KubeObject): Promise<string> {
    const named = claim.metadata.annotations?.[CLASS_ANNOTATION] ?? this.opts.backup.annotations?.[`${CLASS_ANNOTATION}_${driver}`];
    if (named) {
      const cls = await this.opts.api.snapshotClass(named);
      if (!cls) throw new Error(`VolumeSnapshotClass ${named} (named by annotation ${CLASS_ANNOTATION}) does not exist`);
      if (cls.driver !== driver) throw new Error(`VolumeSnapshotClass ${named} is for driver ${cls.driver}, not ${driver}`);
      return named;
    }
    const labelled = (await this.opts.api.snapshotClasses()).filter((c: VolumeSnapshotClass) => c.driver === driver && c.metadata.labels?.[CLASS_SELECTOR_LABEL] === 'true');
    if (labelled.length === 0) throw new Error(`no VolumeSnapshotClass for driver ${driver} is labelled ${CLASS_SELECTOR_LABEL}=true`);
    if (labelled.length > 1) throw new Error(`${labelled.length} VolumeSnapshotClasses for driver ${driver} are labelled ${CLASS_SELECTOR_LABEL}=true: label one`);
    return labelled[0]!.metadata.name;
  }

  /** Until the snapshot is ready to use and its content has a handle; a timeout says what it last saw. */
  private async waitReady(snapshot: VolumeSnapshot): Promise<{ snapshot: VolumeSnapshot; content: VolumeSnapshotContent }> {
    const { namespace, name } = snapshot.metadata;
    let last = 'not yet bound to a VolumeSnapshotContent';
    const ready = await pollUntil(async () => {
      const vs = await this.opts.api.snapshot(namespace!, name);
      if (!vs) throw new Error(`VolumeSnapshot ${namespace}/${name} disappeared while it was being taken`);
      const contentName = vs.status?.boundVolumeSnapshotContentName;
      if (vs.status?.error?.message) last = vs.status.error.message;
      if (!contentName) return undefined;
      const content = await this.opts.api.content(contentName);
      if (content?.status?.error?.message) last = content.status.error.message;
      else if (!content?.status?.snapshotHandle) last = `VolumeSnapshotContent ${contentName} has no snapshot handle yet`;
      else if (vs.status?.readyToUse !== true) last = 'not ready to use yet';
      return vs.status?.readyToUse === true && content?.status?.snapshotHandle ? { snapshot: vs, content } : undefined;
    }, this.opts.timeoutMs);
    if (!ready) throw new Error(`VolumeSnapshot ${namespace}/${name} was not ready within ${formatMs(this.opts.timeoutMs)} (--csi-snapshot-timeout): ${last}`);
    return ready;
  }

  /** The VolumeSnapshot as stored, its class and content to come with it; the content is labelled with the backup. */
  private async describeSnapshot(item: KubeObject) {
    let vs = item as VolumeSnapshot;
    const { namespace, name } = vs.metadata;
    const ours = this.taken.find((t) => t.snapshot?.metadata.namespace === namespace && t.snapshot?.metadata.name === name);
    if (ours && !ours.content) {
      // Listed while it was still being taken: stored as it is once ready, or not at all.
      await ours.settled;
      const now = ours.snapshot && (await this.opts.api.snapshot(namespace!, name));
      if (!now) throw new Error(`VolumeSnapshot ${namespace}/${name} was removed: ${ours.error ?? 'its snapshot failed'}`);
      vs = now;
    }
    const contentName = vs.status?.boundVolumeSnapshotContentName;
    let content = contentName ? await this.opts.api.content(contentName) : undefined;
    if (content && ours) {
      // Found again (and removed at delete) by this label, as Velero does.
      content = await this.opts.api.patchContent(content.metadata.name, { metadata: { labels: { [BACKUP_NAME_LABEL]: validLabelValue(this.opts.backup.name) } } });
      ours.content = content;
    }
    const stored = snapshotWithContentFacts(vs, content);
    if (ours) ours.storedSnapshot = stored;
    else this.others.push(stored);
    const additionalItems = [];
    if (vs.spec.volumeSnapshotClassName) additionalItems.push({ groupResource: VOLUME_SNAPSHOT_CLASSES, name: vs.spec.volumeSnapshotClassName });
    if (content) additionalItems.push({ groupResource: VOLUME_SNAPSHOT_CONTENTS, name: content.metadata.name });
    return { item: stored, additionalItems };
  }

  /** VolumeSnapshots in the backup that it did not take (the user's own). */
  private readonly others: KubeObject[] = [];

  private async discard(snapshot: VolumeSnapshot): Promise<void> {
    await this.opts.api.deleteSnapshot(snapshot.metadata.namespace!, snapshot.metadata.name);
  }

  /**
   * After the items: the CSI files' contents; then, as Velero's finalizing does, the snapshots leave
   * the cluster but their storage snapshots stay (content set to Retain, then both deleted). A backup
   * that failed keeps nothing: its snapshots are deleted with their data.
   */
  async finish(failed: boolean, report: FinishReport): Promise<CsiBackupFiles> {
    if (!failed) await this.moveData(report);
    const done = this.taken.filter((t) => t.storedSnapshot && t.content && !t.move);
    const files: CsiBackupFiles = {
      volumeSnapshots: [...done.map((t) => t.storedSnapshot!), ...this.others],
      volumeSnapshotContents: [...this.contents.values()],
      volumeSnapshotClasses: [...this.classes.values()],
      volumeInfo: this.taken.map((t) => this.volumeInfo(t)),
      itemOperations: [...done.map((t) => this.operation(t)), ...this.taken.filter((t) => t.move).map((t) => this.moveOperation(t))],
      attempted: this.taken.length,
      completed: done.length + this.taken.filter((t) => t.moved).length,
    };
    for (const t of this.taken) {
      if (!t.snapshot) continue;
      try {
        // A moved snapshot's data is in the repository now (or the move failed and said so).
        if (failed || t.move) await this.discard(t.snapshot);
        else await this.release(t);
      } catch (error) {
        this.opts.log.warn(`cannot remove VolumeSnapshot ${t.snapshot.metadata.namespace}/${t.snapshot.metadata.name} from the cluster: ${(error as Error).message}`);
      }
    }
    return files;
  }

  /** One snapshot after another: each holds a temporary claim and pod only while it is read. */
  private async moveData(report: FinishReport): Promise<void> {
    for (const t of this.taken) {
      if (!t.move || !t.snapshot || !this.opts.mover) continue;
      try {
        t.moved = await this.opts.mover.move({ claim: t.claim, snapshot: t.snapshot, restoreSize: t.content?.status?.restoreSize, pod: t.move.pod, volume: t.move.volume });
        t.completed = rfc3339(this.now());
      } catch (error) {
        t.error = `moving the data of claim ${t.claim.metadata.namespace}/${t.claim.metadata.name} from its snapshot failed: ${(error as Error).message}`;
        t.completed = rfc3339(this.now());
        report.error(t.claim.metadata.namespace, t.error);
      }
    }
  }

  /** Velero's DeleteReadyVolumeSnapshot: the content to Retain, then the content and the snapshot go. */
  private async release(t: Taken): Promise<void> {
    const contentName = t.content?.metadata.name;
    if (contentName) {
      await this.opts.api.patchContent(contentName, { spec: { deletionPolicy: 'Retain' } });
      await this.opts.api.deleteContent(contentName);
    }
    await this.discard(t.snapshot!);
  }

  private volumeInfo(t: Taken): BackupVolumeInfo {
    const handle = t.content?.status?.snapshotHandle ?? '';
    const moved = t.move
      ? {
          snapshotDataMoved: true,
          preserveLocalSnapshot: false,
          snapshotDataMovementInfo: { dataMover: 'kubectl-velero', uploaderType: 'kubectl-velero', snapshotHandle: t.moved?.snapshotId ?? '', operationID: t.operationId ?? '', size: t.moved?.totalBytes ?? 0, incrementalSize: t.moved?.uploadedBytes ?? 0 },
        }
      : {};
    return {
      pvcName: t.claim.metadata.name,
      pvcNamespace: t.claim.metadata.namespace,
      pvName: t.pvName,
      backupMethod: 'CSISnapshot',
      snapshotDataMoved: false,
      preserveLocalSnapshot: true,
      skipped: false,
      startTimestamp: t.started,
      ...(t.completed ? { completionTimestamp: t.completed } : {}),
      result: t.error ? 'failed' : 'succeeded',
      csiSnapshotInfo: {
        snapshotHandle: handle,
        size: t.content?.status?.restoreSize ?? 0,
        driver: t.content?.spec.driver ?? '',
        vscName: t.content?.metadata.name ?? '',
        ...(t.operationId ? { operationID: t.operationId } : {}),
      },
      pvInfo: t.pvInfo,
      ...moved,
    };
  }

  /** Velero's DataUpload operation of the csi-pvc-backupper, in bytes. */
  private moveOperation(t: Taken): BackupOperation {
    const claim = { Group: '', Resource: 'persistentvolumeclaims', Namespace: t.claim.metadata.namespace!, Name: t.claim.metadata.name };
    const bytes = t.moved?.totalBytes ?? 0;
    return {
      spec: { backupName: this.opts.backup.name, backupUID: this.opts.backup.uid, backupItemAction: 'velero.io/csi-pvc-backupper', resourceIdentifier: claim, operationID: t.operationId ?? '', postOperationItems: [] },
      status: {
        phase: t.moved ? 'Completed' : 'Failed',
        ...(t.error ? { error: t.error } : {}),
        ...(t.moved ? { nCompleted: bytes, nTotal: bytes, operationUnits: 'Bytes' } : {}),
        created: t.started,
        started: t.started,
        updated: t.completed,
      },
    };
  }

  private operation(t: Taken): BackupOperation {
    const vs = t.snapshot!;
    return {
      spec: {
        backupName: this.opts.backup.name,
        backupUID: this.opts.backup.uid,
        backupItemAction: 'velero.io/csi-volumesnapshot-backupper',
        resourceIdentifier: { Group: 'snapshot.storage.k8s.io', Resource: 'volumesnapshots', Namespace: vs.metadata.namespace!, Name: vs.metadata.name },
        operationID: t.operationId!,
        postOperationItems: [
          { Group: 'snapshot.storage.k8s.io', Resource: 'volumesnapshots', Namespace: vs.metadata.namespace!, Name: vs.metadata.name },
          { Group: 'snapshot.storage.k8s.io', Resource: 'volumesnapshotcontents', Namespace: '', Name: t.content!.metadata.name },
        ],
      },
      status: { phase: 'Completed', created: t.started, started: t.started, updated: t.completed },
    };
  }
}

const EXCLUDE_LABEL = 'velero.io/exclude-from-backup';

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
