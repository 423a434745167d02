// Velero's PodAction: a pod brings its PersistentVolumeClaims and its PriorityClass.
import type { KubeObject } from '../cluster-source.ts';
import type { BackupItemAction, ItemRef } from './action.ts';

interface PodSpec {
  priorityClassName?: string;
  volumes?: { persistentVolumeClaim?: { claimName?: string } }[];
}

export const podRelatedItems: BackupItemAction = {
  name: 'velero.io/pod',
  appliesTo: ['pods'],
  async execute(item: KubeObject) {
    const spec = (item.spec ?? {}) as PodSpec;
    const additionalItems: ItemRef[] = [];
    if (spec.priorityClassName) additionalItems.push({ groupResource: 'priorityclasses.scheduling.k8s.io', name: spec.priorityClassName });
    for (const volume of spec.volumes ?? []) {
      const claim = volume.persistentVolumeClaim?.claimName;
      if (claim) additionalItems.push({ groupResource: 'persistentvolumeclaims', namespace: item.metadata.namespace, name: claim });
    }
    return { item, additionalItems };
  },
};
