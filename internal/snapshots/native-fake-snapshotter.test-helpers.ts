// An in-memory VolumeSnapshotter for the native snapshot steps' unit tests: EBS's rules for PVs
// (the pure functions of the real one), disks and snapshots in maps, failures on demand.
import { ebsVolumeId, withEbsVolumeId } from './providers/aws-ebs-volumes.ts';
import type { ResolvedSnapshotLocation } from './registry.ts';
import { type PersistentVolume, SnapshotNotCompletedError, type VolumeInfo, type VolumeSnapshotter, VolumeSnapshotterError, type WaitOptions } from './volume-snapshotter.ts';

export interface FakeDisk {
  type: string;
  iops?: number;
  zone: string;
  fromSnapshot?: string;
}

export class FakeSnapshotter implements VolumeSnapshotter {
  readonly disks = new Map<string, FakeDisk>();
  readonly snapshots = new Map<string, { volumeId: string; tags: Record<string, string> }>();
  /** Per operation: throw this message instead. */
  failing: Partial<Record<'info' | 'snapshot' | 'pending' | 'create' | 'delete', string>> = {};
  private next = 1;

  describe(): string {
    return 'fake EBS';
  }

  getVolumeId(pv: PersistentVolume): string | undefined {
    return ebsVolumeId(pv);
  }

  setVolumeId(pv: PersistentVolume, volumeId: string): PersistentVolume {
    return withEbsVolumeId(pv, volumeId);
  }

  async getVolumeInfo(volumeId: string): Promise<VolumeInfo> {
    if (this.failing.info) throw new VolumeSnapshotterError(this.failing.info);
    const disk = this.disks.get(volumeId);
    if (!disk) throw new VolumeSnapshotterError(`could not describe volume ${volumeId}: the volume does not exist`);
    return { volumeType: disk.type, iops: disk.iops ?? 0 };
  }

  async createSnapshot(volumeId: string, _zone: string, tags: Record<string, string>, _wait?: WaitOptions): Promise<string> {
    if (this.failing.snapshot) throw new VolumeSnapshotterError(this.failing.snapshot);
    const id = `snap-${String(this.next++).padStart(4, '0')}`;
    this.snapshots.set(id, { volumeId, tags });
    if (this.failing.pending) throw new SnapshotNotCompletedError(id, this.failing.pending);
    return id;
  }

  async createVolumeFromSnapshot(snapshotId: string, volumeType: string, zone: string, iops?: number): Promise<string> {
    if (this.failing.create) throw new VolumeSnapshotterError(this.failing.create);
    if (!this.snapshots.has(snapshotId)) throw new VolumeSnapshotterError(`could not create a volume: the snapshot ${snapshotId} does not exist`);
    const id = `vol-new${this.next++}`;
    this.disks.set(id, { type: volumeType, zone, fromSnapshot: snapshotId, ...(iops !== undefined ? { iops } : {}) });
    return id;
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    if (this.failing.delete) throw new VolumeSnapshotterError(this.failing.delete);
    this.snapshots.delete(snapshotId);
  }
}

export const fakeLocation = (name: string, provider = 'aws'): ResolvedSnapshotLocation => ({ name, provider, config: { region: 'us-east-1' }, credentials: { kind: 'default' }, source: 'config' });

export const ebsPv = (name: string, volumeId: string, zone: string, extra: Partial<NonNullable<PersistentVolume['spec']>> = {}): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } },
  spec: {
    awsElasticBlockStore: { volumeID: `aws://${zone}/${volumeId}` },
    persistentVolumeReclaimPolicy: 'Retain',
    claimRef: { namespace: 'shop', name: `data-${name}` },
    ...extra,
  },
});
