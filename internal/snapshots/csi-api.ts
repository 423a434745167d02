// The few API calls CSI snapshots need, over the plugin's own HTTP client (the user's credentials):
// read a claim's volume and class, find the snapshot class, and create, wait for and delete
// VolumeSnapshots and their contents. Not-found reads come back undefined.
import { KubeApiError } from '../kube/errors.ts';
import type { KubeWriter } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { nameSegment, namespaceSegment } from '../kube/names.ts';
import { SNAPSHOT_API_VERSION, type VolumeSnapshot, type VolumeSnapshotClass, type VolumeSnapshotContent } from './csi-objects.ts';

const SNAP = `/apis/${SNAPSHOT_API_VERSION}`;

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.isNotFound;

export class CsiApi {
  constructor(readonly client: KubeWriter) {}

  private async get<T>(path: string): Promise<T | undefined> {
    try {
      return await this.client.getJson<T>(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async remove(path: string): Promise<void> {
    try {
      await this.client.sendJson('DELETE', path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  persistentVolume(name: string): Promise<KubeObject | undefined> {
    return this.get(`/api/v1/persistentvolumes/${nameSegment(name)}`);
  }

  storageClass(name: string): Promise<KubeObject | undefined> {
    return this.get(`/apis/storage.k8s.io/v1/storageclasses/${nameSegment(name)}`);
  }

  async pods(namespace: string): Promise<KubeObject[]> {
    const list = await this.client.getJson<{ items?: KubeObject[] }>(`/api/v1/namespaces/${namespaceSegment(namespace)}/pods`);
    return list.items ?? [];
  }

  async snapshotClasses(): Promise<VolumeSnapshotClass[]> {
    const list = await this.get<{ items?: VolumeSnapshotClass[] }>(`${SNAP}/volumesnapshotclasses`);
    return list?.items ?? [];
  }

  snapshotClass(name: string): Promise<VolumeSnapshotClass | undefined> {
    return this.get(`${SNAP}/volumesnapshotclasses/${nameSegment(name)}`);
  }

  createSnapshot(snapshot: VolumeSnapshot): Promise<VolumeSnapshot> {
    return this.client.sendJson<VolumeSnapshot>('POST', `${SNAP}/namespaces/${namespaceSegment(snapshot.metadata.namespace!)}/volumesnapshots`, snapshot);
  }

  snapshot(namespace: string, name: string): Promise<VolumeSnapshot | undefined> {
    return this.get(`${SNAP}/namespaces/${namespaceSegment(namespace)}/volumesnapshots/${nameSegment(name)}`);
  }

  deleteSnapshot(namespace: string, name: string): Promise<void> {
    return this.remove(`${SNAP}/namespaces/${namespaceSegment(namespace)}/volumesnapshots/${nameSegment(name)}`);
  }

  content(name: string): Promise<VolumeSnapshotContent | undefined> {
    return this.get(`${SNAP}/volumesnapshotcontents/${nameSegment(name)}`);
  }

  createContent(content: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    return this.client.sendJson<VolumeSnapshotContent>('POST', `${SNAP}/volumesnapshotcontents`, content);
  }

  /** A JSON merge patch of a content (labels, deletion policy). */
  patchContent(name: string, patch: unknown): Promise<VolumeSnapshotContent> {
    return this.client.sendJson<VolumeSnapshotContent>('PATCH', `${SNAP}/volumesnapshotcontents/${nameSegment(name)}`, patch);
  }

  deleteContent(name: string): Promise<void> {
    return this.remove(`${SNAP}/volumesnapshotcontents/${nameSegment(name)}`);
  }
}

/** Polls `check` until it returns a value, with a delay growing from 250 ms to 5 s, until `timeoutMs`. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, timeoutMs: number, signal?: AbortSignal): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline || signal?.aborted) return undefined;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 2, 5_000);
  }
}
