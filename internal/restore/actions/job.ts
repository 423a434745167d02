// Jobs (Velero's job_action.go): the controller-uid selector and template labels name the old job's
// uid; the API server generates new ones for the restored job (unless manualSelector is set).
import { copyOf, obj, type RestoreItemAction } from './types.ts';

const UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

export const jobAction: RestoreItemAction = {
  name: 'job',
  appliesTo: ['jobs.batch'],
  execute(item) {
    const out = copyOf(item);
    const spec = obj(out.spec);
    const matchLabels = obj(spec.selector).matchLabels;
    if (matchLabels && typeof matchLabels === 'object') for (const label of UID_LABELS) delete (matchLabels as Record<string, unknown>)[label];
    const templateLabels = obj(obj(spec.template).metadata).labels;
    if (templateLabels && typeof templateLabels === 'object') for (const label of UID_LABELS) delete (templateLabels as Record<string, unknown>)[label];
    return { item: out as typeof item };
  },
};
