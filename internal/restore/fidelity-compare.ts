// The fidelity rule for one object: what the restore meant to write (the backed-up object after
// the documented transformations) against what the cluster holds now. Subset semantics (every
// field the backup has must be there with the same value; fields only the server adds are not
// differences), and an object the restore found already there and left alone ("skipped") is
// compared without the restore labels it never received.
import type { KubeObject } from '../kube/list.ts';
import { type FieldDifference, shownDifferences, subsetDifferences } from './object-diff.ts';
import { withoutRestoreLabels } from './reset-metadata.ts';
import { podAction } from './actions/pod.ts';

export type RestoredAs = 'created' | 'updated' | 'skipped' | 'failed';

export type FidelityVerdict = { state: 'same' } | { state: 'missing' } | { state: 'different'; differences: FieldDifference[] } | { state: 'not-checked' };

export function compareRestored(wanted: KubeObject, live: KubeObject | undefined, restoredAs: RestoredAs | undefined): FidelityVerdict {
  // Only what this restore created, updated or kept is held to the backup's content.
  if (restoredAs === undefined || restoredAs === 'failed') return { state: 'not-checked' };
  if (!live) return { state: 'missing' };
  // A stock Velero makes a restored namespace from the backup's metadata without the restore labels
  // it puts on everything else, so a namespace is held to its backed-up labels, with or without them.
  const unlabelled = restoredAs === 'skipped' || wanted.kind === 'Namespace';
  const expected = withoutControllerFinalizers(unlabelled ? withoutRestoreLabels(wanted) : wanted);
  const differences = shownDifferences(wanted.kind, subsetDifferences(expected, asRestoreLeavesIt(live)));
  return differences.length ? { state: 'different', differences } : { state: 'same' };
}

/** `ns/name(created)` entries of a restore's resource list, as `apiVersion/Kind ns/name` → outcome. */
export function outcomesByObject(resourceList: Record<string, string[]>): Map<string, RestoredAs> {
  const out = new Map<string, RestoredAs>();
  for (const [kind, entries] of Object.entries(resourceList)) {
    for (const entry of entries) {
      const m = /^(.*)\((created|updated|skipped|failed)\)$/.exec(entry);
      if (m) out.set(`${kind} ${m[1]}`, m[2] as RestoredAs);
    }
  }
  return out;
}

/**
 * Finalizers a controller puts on and takes off by itself: the Job controller removes
 * `batch.kubernetes.io/job-tracking` from a Job's pod once it has counted it, also from a pod a
 * restore brought back (seen when judging a stock Velero's restore of a Job), so its absence later
 * is the cluster at work, not a difference.
 */
const CONTROLLER_FINALIZERS: Record<string, string[]> = { Pod: ['batch.kubernetes.io/job-tracking'] };

function withoutControllerFinalizers(wanted: KubeObject): KubeObject {
  const dropped = CONTROLLER_FINALIZERS[wanted.kind ?? ''];
  const finalizers = wanted.metadata.finalizers as string[] | undefined;
  if (!dropped || !Array.isArray(finalizers) || !finalizers.some((f) => dropped.includes(f))) return wanted;
  const kept = finalizers.filter((f) => !dropped.includes(f));
  const { finalizers: _, ...metadata } = wanted.metadata;
  return { ...wanted, metadata: kept.length ? { ...metadata, finalizers: kept } : metadata };
}

/**
 * A live pod seen as the restore's pod action leaves a pod: without the restore-wait init container
 * the volume restore adds, and without the service-account token volume and mounts the API server
 * injected anew (the action dropped the backed-up one, whose name was random) — documented
 * transformations, not differences.
 */
function asRestoreLeavesIt(live: KubeObject): KubeObject {
  if (live.kind !== 'Pod') return live;
  // The pod action reads nothing of the context.
  const result = podAction.execute(live, { preserveNodePorts: false, namespaceMapping: {}, volumesProvisionedAnew: new Set(), restoreUid: '', restorePVs: true });
  return 'item' in result ? result.item : live;
}
