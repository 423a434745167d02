// A backup's volume policies bound to the cluster: the action for a claim, a PV or a pod's volume,
// with what the policies need and the caller does not have (a claim's PV, a PV's claim, a pod
// volume's claim and PV) read once per backup. A claim or PV that is gone, or that the user may
// not read, counts as missing, as Velero matches a claim without its PV.
import { KubeApiError } from '../kube/errors.ts';
import type { KubeRequester } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { nameSegment, namespaceSegment } from '../kube/names.ts';
import type { PodVolume } from './select-volumes.ts';
import type { VolumeActionType, VolumeFacts, VolumePolicies } from './volume-policy.ts';

export interface VolumeActionLog {
  info(message: string): void;
}

export class VolumeActionLookup {
  private readonly objects = new Map<string, Promise<KubeObject | undefined>>();

  constructor(
    private readonly policies: VolumePolicies,
    private readonly client: KubeRequester,
    private readonly log?: VolumeActionLog,
  ) {}

  /** A claim, its PV, or both (Velero's PVC and PV checks: the pod's volume plays no part). */
  async ofVolume(volume: { claim?: KubeObject; pv?: KubeObject }): Promise<VolumeActionType | undefined> {
    const claimRef = (volume.pv?.spec as { claimRef?: { namespace?: string; name?: string } } | undefined)?.claimRef;
    const claim = volume.claim ?? (claimRef?.namespace && claimRef.name ? await this.claim(claimRef.namespace, claimRef.name) : undefined);
    const pv = volume.pv ?? (await this.volumeOf(claim));
    const what = claim ? `claim ${claim.metadata.namespace}/${claim.metadata.name}` : `persistent volume ${pv?.metadata.name ?? ''}`;
    return this.decide({ claim, pv }, what);
  }

  /** A pod's volume: by its claim's PV when bound, else by the volume itself (emptyDir, nfs, inline csi…). */
  async ofPodVolume(pod: KubeObject, volume: PodVolume): Promise<VolumeActionType | undefined> {
    const claimName = volume.persistentVolumeClaim?.claimName;
    const claim = claimName ? await this.claim(pod.metadata.namespace ?? '', claimName) : undefined;
    const pv = await this.volumeOf(claim);
    const facts: VolumeFacts = pv ? { pv, claim } : { podVolume: volume as unknown as Record<string, unknown>, claim };
    return this.decide(facts, `volume ${volume.name} of pod ${pod.metadata.namespace}/${pod.metadata.name}`);
  }

  private decide(facts: VolumeFacts, what: string): VolumeActionType | undefined {
    const action = this.policies.actionFor(facts)?.type;
    if (action) this.log?.info(`Volume policy: ${what} matched action ${action}`);
    return action;
  }

  private volumeOf(claim: KubeObject | undefined): Promise<KubeObject | undefined> {
    const name = (claim?.spec as { volumeName?: string } | undefined)?.volumeName;
    return name ? this.read(`/api/v1/persistentvolumes/${nameSegment(name)}`) : Promise.resolve(undefined);
  }

  private claim(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.read(`/api/v1/namespaces/${namespaceSegment(namespace)}/persistentvolumeclaims/${nameSegment(name)}`);
  }

  private read(path: string): Promise<KubeObject | undefined> {
    let object = this.objects.get(path);
    if (!object) {
      object = this.client.getJson<KubeObject>(path).catch((error: unknown) => {
        if (error instanceof KubeApiError && (error.isNotFound || error.isForbidden)) return undefined;
        this.objects.delete(path);
        throw error;
      });
      this.objects.set(path, object);
    }
    return object;
  }
}
