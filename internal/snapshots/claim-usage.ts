// Which pods use a claim, read once per namespace per backup: a claim whose data a pod opts into
// file-system backup is never also snapshotted (Velero's rule), and moved snapshot data is recorded
// under the running pod that mounts the claim.
import { KubeApiError } from '../kube/errors.ts';
import type { KubeObject } from '../kube/list.ts';
import { podVolumesOf, selectVolumes } from '../volumes/select-volumes.ts';

export class ClaimUsage {
  private readonly pods = new Map<string, Promise<KubeObject[]>>();
  private readonly fsClaims = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly listPods: (namespace: string) => Promise<KubeObject[]>,
    private readonly defaultVolumesToFsBackup: boolean,
  ) {}

  /** Not allowed to list a namespace's pods: as if it had none. */
  podsOf(namespace: string): Promise<KubeObject[]> {
    let pods = this.pods.get(namespace);
    if (!pods) {
      pods = this.listPods(namespace).catch(forbiddenAs<KubeObject[]>([]));
      this.pods.set(namespace, pods);
    }
    return pods;
  }

  /** Whether a pod's file-system backup takes the claim's data. */
  async fsBacked(namespace: string, claim: string): Promise<boolean> {
    let claims = this.fsClaims.get(namespace);
    if (!claims) {
      claims = this.podsOf(namespace).then((pods) => {
        const out = new Set<string>();
        for (const pod of pods) {
          const selected = new Set(selectVolumes(pod, this.defaultVolumesToFsBackup).volumes);
          for (const v of podVolumesOf(pod)) if (v.persistentVolumeClaim && selected.has(v.name)) out.add(v.persistentVolumeClaim.claimName);
        }
        return out;
      });
      this.fsClaims.set(namespace, claims);
    }
    return (await claims).has(claim);
  }

  /** A running pod that mounts the claim, and its volume's name. */
  async runningUser(namespace: string, claim: string): Promise<{ pod: KubeObject; volume: string } | undefined> {
    for (const pod of await this.podsOf(namespace)) {
      const volume = podVolumesOf(pod).find((v) => v.persistentVolumeClaim?.claimName === claim);
      if (volume && (pod.status as { phase?: string } | undefined)?.phase === 'Running') return { pod, volume: volume.name };
    }
    return undefined;
  }
}

export function forbiddenAs<T>(value: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof KubeApiError && error.isForbidden) return value;
    throw error;
  };
}
