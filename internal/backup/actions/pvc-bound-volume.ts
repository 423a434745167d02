// Velero's PVCAction: a bound claim brings its PersistentVolume. The stored claim loses its data
// source (the restored claim binds the restored volume instead of re-cloning), its selector when a
// storage class may provision, and Velero labels left over from earlier restores.
import type { KubeObject } from '../cluster-source.ts';
import type { BackupItemAction } from './action.ts';

interface PvcSpec {
  volumeName?: string;
  storageClassName?: string | null;
  dataSource?: unknown;
  dataSourceRef?: unknown;
  selector?: { matchLabels?: Record<string, string> } | null;
}

export const pvcBoundVolume: BackupItemAction = {
  name: 'velero.io/pvc',
  appliesTo: ['persistentvolumeclaims'],
  async execute(original: KubeObject, context) {
    const phase = (original.status as { phase?: string } | undefined)?.phase;
    const volumeName = (original.spec as PvcSpec | undefined)?.volumeName;
    if (phase !== 'Bound' || !volumeName) return { item: original, additionalItems: [] };

    const item = structuredClone(original);
    const spec = item.spec as PvcSpec;
    delete spec.dataSource;
    delete spec.dataSourceRef;
    if (spec.storageClassName !== '') delete spec.selector; // unset or a real class: the class provisions
    if (spec.selector?.matchLabels) for (const key of Object.keys(spec.selector.matchLabels)) if (key.startsWith('velero.io/')) delete spec.selector.matchLabels[key];
    const labels = item.metadata.labels;
    if (labels) {
      for (const [key, value] of Object.entries(labels)) {
        const stale =
          key === 'velero.io/restore-name' ||
          key === 'velero.io/must-include-additional-items' ||
          key === 'velero.io/volume-snapshot-name' ||
          (key === 'velero.io/backup-name' && value !== context.backupName);
        if (stale) delete labels[key];
      }
    }
    return { item, additionalItems: [{ groupResource: 'persistentvolumes', name: volumeName }] };
  },
};
