// Jobs: the controller-uid selector and labels name the old job's uid; the API server sets new ones.
import { obj, type Json, type RestoreItemAction } from './types.ts';

const UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

export const jobAction: RestoreItemAction = {
  name: 'job',
  appliesTo: ['jobs.batch'],
  execute(item) {
    const out = structuredClone(item) as Json;
    const spec = obj(out.spec);
    const matchLabels = obj(obj(spec.selector).matchLabels);
    for (const label of UID_LABELS) delete matchLabels[label];
    if (Object.keys(matchLabels).length === 0) delete spec.selector;
    const templateLabels = obj(obj(obj(spec.template).metadata).labels);
    for (const label of UID_LABELS) delete templateLabels[label];
    delete spec.manualSelector;
    out.spec = spec;
    return { item: out as typeof item };
  },
};
