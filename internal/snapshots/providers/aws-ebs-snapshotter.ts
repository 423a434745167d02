// The EBS VolumeSnapshotter over @aws-sdk/client-ec2, as velero-plugin-for-aws does it:
// DescribeVolumes for the type and IOPS, CreateSnapshot with Velero's tags and the volume's own,
// CreateVolume from a snapshot with its tags (and encryption), DeleteSnapshot that ignores a
// snapshot already gone. Unlike the plugin, createSnapshot waits until the snapshot is completed
// (bounded), so a Completed record means a usable snapshot. Loaded only when a location is opened.
import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Snapshot as Ec2Snapshot,
  type VolumeType,
} from '@aws-sdk/client-ec2';
import type { StaticCredentials } from '../../storage/providers/aws-credentials.ts';
import {
  type PersistentVolume,
  SnapshotNotCompletedError,
  type VolumeInfo,
  type VolumeSnapshotter,
  VolumeSnapshotterError,
  type WaitOptions,
} from '../volume-snapshotter.ts';
import { ebsVolumeId, IOPS_VOLUME_TYPES, restoredVolumeTags, snapshotTags, withEbsVolumeId } from './aws-ebs-volumes.ts';

export interface EbsSnapshotterOptions {
  region: string;
  /** The EC2 API's base URL (config key ec2Endpoint); the region's AWS endpoint by default. */
  endpoint?: string;
  /** From a credentials file (read when first needed); without them the SDK's default chain (with `profile`). */
  credentials?: StaticCredentials | (() => Promise<StaticCredentials>);
  profile?: string;
  /** Velero's ebsKmsKeyId: restored volumes are encrypted with that KMS key. */
  kmsKeyId?: string;
  /** Velero's AWS_CLUSTER_NAME: restored volumes are tagged as owned by that cluster. */
  clusterName?: string;
  /** Between two looks at a pending snapshot; grows to 10 s. */
  pollIntervalMs?: number;
}

const DEFAULT_SNAPSHOT_TIMEOUT_MS = 10 * 60_000;
const MAX_POLL_MS = 10_000;

const REJECTED_CREDENTIALS = new Set(['AuthFailure', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'RequestExpired', 'InvalidAccessKeyId', 'UnrecognizedClientException']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class EbsSnapshotter implements VolumeSnapshotter {
  private readonly client: EC2Client;

  constructor(private readonly options: EbsSnapshotterOptions) {
    this.client = new EC2Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : options.profile ? { profile: options.profile } : {}),
      maxAttempts: 4,
    });
  }

  describe(): string {
    return `EBS in ${this.options.region}${this.options.endpoint ? ` at ${this.options.endpoint}` : ''}`;
  }

  /** Turns SDK and network errors into one line that says what failed; AWS's messages carry no secrets. */
  private explain(error: unknown, action: string): VolumeSnapshotterError {
    if (error instanceof VolumeSnapshotterError) return error;
    const name = (error as { name?: string }).name ?? '';
    const code = (error as { code?: string }).code ?? '';
    const message = oneLine(error instanceof Error ? error.message : String(error));
    const where = this.describe();
    if (REJECTED_CREDENTIALS.has(name)) {
      return new VolumeSnapshotterError(`EC2 rejected the credentials (${name}: ${message}) while trying to ${action} (${where}): check the location's credentials`);
    }
    if (name === 'UnauthorizedOperation' || name === 'AccessDenied') return new VolumeSnapshotterError(`access denied while trying to ${action} (${where}): ${name}: ${message}`);
    if (name === 'InvalidVolume.NotFound') return new VolumeSnapshotterError(`could not ${action}: the volume does not exist in ${where} (is the location's region the volume's?)`);
    if (name === 'InvalidSnapshot.NotFound') return new VolumeSnapshotterError(`could not ${action}: the snapshot does not exist in ${where}`);
    if (name === 'CredentialsProviderError') return new VolumeSnapshotterError(`no AWS credentials to ${action} (${where}): give the location a credentials file, or set them up for the AWS SDK (${message})`);
    if (NETWORK_CODES.has(code) || name === 'TimeoutError') return new VolumeSnapshotterError(`cannot reach EC2 (${where}) (${code || name}) while trying to ${action}`);
    return new VolumeSnapshotterError(`could not ${action} (${where}): ${name && name !== 'Error' && !message.startsWith(name) ? `${name}: ` : ''}${message}`);
  }

  private async send<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.explain(error, action);
    }
  }

  getVolumeId(pv: PersistentVolume): string | undefined {
    return ebsVolumeId(pv);
  }

  setVolumeId(pv: PersistentVolume, volumeId: string): PersistentVolume {
    return withEbsVolumeId(pv, volumeId);
  }

  private async describeVolume(volumeId: string, signal?: AbortSignal) {
    const out = await this.send(`describe volume ${volumeId}`, () => this.client.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }), { abortSignal: signal }));
    const volume = out.Volumes?.length === 1 ? out.Volumes[0] : undefined;
    if (!volume) throw new VolumeSnapshotterError(`describing volume ${volumeId} (${this.describe()}) returned ${out.Volumes?.length ?? 0} volumes, not one`);
    return volume;
  }

  async getVolumeInfo(volumeId: string, _volumeAZ: string, signal?: AbortSignal): Promise<VolumeInfo> {
    const volume = await this.describeVolume(volumeId, signal);
    const volumeType = volume.VolumeType ?? '';
    return { volumeType, iops: IOPS_VOLUME_TYPES.has(volumeType) ? (volume.Iops ?? 0) : 0 };
  }

  private async describeSnapshot(snapshotId: string, signal?: AbortSignal): Promise<Ec2Snapshot> {
    const out = await this.send(`describe snapshot ${snapshotId}`, () => this.client.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }), { abortSignal: signal }));
    const snapshot = out.Snapshots?.length === 1 ? out.Snapshots[0] : undefined;
    if (!snapshot) throw new VolumeSnapshotterError(`describing snapshot ${snapshotId} (${this.describe()}) returned ${out.Snapshots?.length ?? 0} snapshots, not one`);
    return snapshot;
  }

  async createSnapshot(volumeId: string, _volumeAZ: string, tags: Record<string, string>, wait: WaitOptions = {}): Promise<string> {
    const volume = await this.describeVolume(volumeId, wait.signal);
    const created = await this.send(`snapshot volume ${volumeId}`, () =>
      this.client.send(new CreateSnapshotCommand({ VolumeId: volumeId, TagSpecifications: [{ ResourceType: 'snapshot', Tags: snapshotTags(tags, volume.Tags) }] }), { abortSignal: wait.signal }),
    );
    const snapshotId = created.SnapshotId;
    if (!snapshotId) throw new VolumeSnapshotterError(`snapshotting volume ${volumeId} (${this.describe()}) returned no snapshot id`);
    await this.waitCompleted(snapshotId, volumeId, created.State, wait);
    return snapshotId;
  }

  /** Polls until the snapshot is completed; an error state, the deadline or the signal end it with its id kept. */
  private async waitCompleted(snapshotId: string, volumeId: string, firstState: string | undefined, wait: WaitOptions): Promise<void> {
    const timeoutMs = wait.timeoutMs ?? DEFAULT_SNAPSHOT_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    let state = firstState;
    let progress: string | undefined;
    let pause = this.options.pollIntervalMs ?? 1000;
    for (;;) {
      if (state === 'completed') return;
      if (state === 'error' || state === 'recoverable' || state === 'recovering') {
        throw new SnapshotNotCompletedError(snapshotId, `snapshot ${snapshotId} of volume ${volumeId} (${this.describe()}) is in state ${state}`);
      }
      if (Date.now() >= deadline) {
        throw new SnapshotNotCompletedError(snapshotId, `snapshot ${snapshotId} of volume ${volumeId} (${this.describe()}) is still ${state ?? 'pending'}${progress ? ` (${progress})` : ''} after ${Math.round(timeoutMs / 1000)} s`);
      }
      try {
        await sleep(Math.min(pause, Math.max(0, deadline - Date.now())), wait.signal);
        const snapshot = await this.describeSnapshot(snapshotId, wait.signal);
        state = snapshot.State;
        progress = snapshot.Progress;
      } catch (error) {
        if (wait.signal?.aborted) throw new SnapshotNotCompletedError(snapshotId, `snapshot ${snapshotId} of volume ${volumeId} (${this.describe()}) was not waited for: ${abortError(wait.signal).message}`);
        throw new SnapshotNotCompletedError(snapshotId, (error as Error).message);
      }
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  async createVolumeFromSnapshot(snapshotId: string, volumeType: string, volumeAZ: string, iops?: number, signal?: AbortSignal): Promise<string> {
    // The snapshot's tags go onto the volume, and its encryption with them.
    const snapshot = await this.describeSnapshot(snapshotId, signal);
    const encrypted = this.options.kmsKeyId ? true : snapshot.Encrypted;
    const out = await this.send(`create a volume from snapshot ${snapshotId} in ${volumeAZ || '(no zone)'}`, () =>
      this.client.send(
        new CreateVolumeCommand({
          SnapshotId: snapshotId,
          AvailabilityZone: volumeAZ,
          ...(volumeType ? { VolumeType: volumeType as VolumeType } : {}),
          ...(encrypted !== undefined ? { Encrypted: encrypted } : {}),
          ...(this.options.kmsKeyId ? { KmsKeyId: this.options.kmsKeyId } : {}),
          ...(IOPS_VOLUME_TYPES.has(volumeType) && iops ? { Iops: iops } : {}),
          TagSpecifications: [{ ResourceType: 'volume', Tags: restoredVolumeTags(snapshot.Tags, this.options.clusterName) }],
        }),
        { abortSignal: signal },
      ),
    );
    if (!out.VolumeId) throw new VolumeSnapshotterError(`creating a volume from snapshot ${snapshotId} (${this.describe()}) returned no volume id`);
    return out.VolumeId;
  }

  async deleteSnapshot(snapshotId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }), { abortSignal: signal });
    } catch (error) {
      if ((error as { name?: string }).name === 'InvalidSnapshot.NotFound') return;
      throw this.explain(error, `delete snapshot ${snapshotId}`);
    }
  }
}
