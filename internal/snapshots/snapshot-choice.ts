// Whether a claim's volume gets a snapshot, CSI or native — Velero's ShouldPerformSnapshot: a
// matching volume policy decides (snapshot: yes, even with --snapshot-volumes=false or the claim
// opted into file-system backup; skip, fs-backup, custom: no); otherwise a claim whose data a pod's
// annotations opt into file-system backup is not snapshotted, and the rest are unless
// --snapshot-volumes=false.
import type { KubeObject } from '../kube/list.ts';
import type { ClaimUsage } from './claim-usage.ts';

/** The backup's volume policies, resolved against the cluster: a claim's or PV's action, undefined when none matches. */
export type VolumePolicyAction = (volume: { claim?: KubeObject; pv?: KubeObject }) => Promise<string | undefined>;

export class SnapshotChoice {
  constructor(
    private readonly opts: { snapshotVolumes?: boolean; usage: ClaimUsage; policyAction?: VolumePolicyAction },
  ) {}

  /** False when no volume can get one (--snapshot-volumes=false and no policies): no need to look further. */
  get possible(): boolean {
    return this.opts.snapshotVolumes !== false || this.opts.policyAction !== undefined;
  }

  /** `claim` (namespace/name) is the PV's claim when there is one; `objects` what the caller has read. */
  async wanted(claim: { namespace?: string; name?: string } | undefined, objects: { claim?: KubeObject; pv?: KubeObject }): Promise<boolean> {
    const action = await this.opts.policyAction?.(objects);
    if (action) return action === 'snapshot';
    if (claim?.namespace && claim.name && (await this.opts.usage.fsBacked(claim.namespace, claim.name))) return false;
    return this.opts.snapshotVolumes !== false;
  }
}
