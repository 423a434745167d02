// Secrets (Velero's secret_action.go): a service-account token Secret the token controller made
// (`<account>-token-*`) is not restored — the target cluster makes its own. One made by hand (a
// long-lived token requested with the annotation) is restored without the old account uid, token
// and CA, which the token controller fills in for the new account.
import { copyOf, obj, type RestoreItemAction } from './types.ts';

const SA_TOKEN = 'kubernetes.io/service-account-token';

export const secretAction: RestoreItemAction = {
  name: 'secret',
  appliesTo: ['secrets'],
  execute(item) {
    if ((item as { type?: unknown }).type !== SA_TOKEN) return { item };
    const annotations = obj(item.metadata.annotations);
    const account = annotations['kubernetes.io/service-account.name'];
    // Velero checks the name against the accounts in the namespace; the annotation names the account.
    if (typeof account === 'string' && item.metadata.name.startsWith(`${account}-token-`)) return { skip: 'an auto-created service-account token: the target cluster issues its own' };
    const out = copyOf(item);
    delete obj(obj(out.metadata).annotations)['kubernetes.io/service-account.uid'];
    const data = obj(out.data);
    delete data.token;
    delete data['ca.crt'];
    return { item: out as typeof item };
  },
};
