// Native volume snapshots during a backup (Velero's takePVSnapshot): each PersistentVolume the
// backup reaches — from its claim, from its pod, so between the pod's hooks — whose disk a chosen
// VolumeSnapshotLocation's snapshotter recognises gets a snapshot, recorded for
// NAME-volumesnapshots.json.gz. CSI volumes are left to the CSI step; which volumes get one at all
// is the SnapshotChoice the CSI step also follows (volume policies, file-system opt-ins).
import type { ActionContext, BackupItemAction } from '../backup/actions/index.ts';
import type { KubeObject } from '../kube/list.ts';
import { NativeSnapshotTaker, type BackupRef, type NativeBackupVolumeInfo } from './native-backup.ts';
import type { Snapshot } from './native-records.ts';
import type { ResolvedSnapshotLocation } from './registry.ts';
import type { SnapshotChoice } from './snapshot-choice.ts';
import type { PersistentVolume } from './volume-snapshotter.ts';

export interface NativeStepOptions {
  backup: BackupRef;
  /** The backup's locations (chooseSnapshotLocations), looked up when the first volume is met. */
  locations: () => Promise<ResolvedSnapshotLocation[]>;
  choice: SnapshotChoice;
  signal?: AbortSignal;
}

export interface NativeFiles {
  snapshots: Snapshot[];
  volumeInfo: NativeBackupVolumeInfo[];
  attempted: number;
  completed: number;
}

export class NativeSnapshotStep {
  private taker: Promise<NativeSnapshotTaker | undefined> | undefined;

  constructor(private readonly opts: NativeStepOptions) {}

  get action(): BackupItemAction {
    return { name: 'velero.io/native-volume-snapshot', appliesTo: ['persistentvolumes'], execute: (pv, ctx) => this.snapshot(pv, ctx) };
  }

  private async snapshot(pv: KubeObject, ctx: ActionContext) {
    const unchanged = { item: pv, additionalItems: [] };
    if (!this.opts.choice.possible) return unchanged;
    const claim = (pv.spec as { claimRef?: { namespace?: string; name?: string } } | undefined)?.claimRef;
    if (!(await this.opts.choice.wanted(claim, { pv }))) return unchanged;
    this.taker ??= this.opts.locations().then(
      (locations) => (locations.length ? new NativeSnapshotTaker(this.opts.backup, locations, { skipCsiVolumes: true, signal: this.opts.signal }) : undefined),
      (error: Error) => {
        // Velero fails such a backup's validation; here it is one error, and no native snapshots.
        ctx.error?.(undefined, `volume snapshot locations: ${error.message}`);
        return undefined;
      },
    );
    const taker = await this.taker;
    if (!taker) return unchanged;
    const outcome = await taker.snapshotPersistentVolume(pv as PersistentVolume);
    if (outcome.kind === 'failed') ctx.error?.(undefined, outcome.error);
    return unchanged;
  }

  async finish(): Promise<NativeFiles> {
    const taker = await this.taker;
    if (!taker) return { snapshots: [], volumeInfo: [], attempted: 0, completed: 0 };
    return { snapshots: taker.snapshots, volumeInfo: taker.volumeInfos, ...taker.counts() };
  }
}
