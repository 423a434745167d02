import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { item, kept } from './actions.test-helpers.ts';
import { podAction } from './pod.ts';

const pod = (spec: Record<string, unknown>) => item('v1', 'Pod', 'web-1', 'shop', { spec });

const cases: { name: string; spec: Record<string, unknown>; want: Record<string, unknown> }[] = [
  { name: 'nodeName and priority go, the class stays', spec: { nodeName: 'n1', priority: 1000, priorityClassName: 'high', containers: [{ name: 'c' }] }, want: { priorityClassName: 'high', containers: [{ name: 'c' }] } },
  { name: 'priority goes without a class too', spec: { priority: 0, containers: [{ name: 'c' }] }, want: { containers: [{ name: 'c' }] } },
  {
    name: 'projected kube-api-access volume and its mounts go, others stay',
    spec: { volumes: [{ name: 'kube-api-access-abc' }, { name: 'data' }], containers: [{ name: 'c', volumeMounts: [{ name: 'kube-api-access-abc' }, { name: 'data' }] }], initContainers: [{ name: 'i', volumeMounts: [{ name: 'kube-api-access-abc' }] }] },
    want: { volumes: [{ name: 'data' }], containers: [{ name: 'c', volumeMounts: [{ name: 'data' }] }], initContainers: [{ name: 'i' }] },
  },
  {
    name: "legacy <serviceAccount>-token-* secret volume goes (Velero's rule), another SA's stays",
    spec: { serviceAccountName: 'web', volumes: [{ name: 'web-token-x1' }, { name: 'db-token-x2' }], containers: [{ name: 'c', volumeMounts: [{ name: 'web-token-x1' }, { name: 'db-token-x2' }] }] },
    want: { serviceAccountName: 'web', volumes: [{ name: 'db-token-x2' }], containers: [{ name: 'c', volumeMounts: [{ name: 'db-token-x2' }] }] },
  },
  { name: "an earlier restore's restore-wait init container goes, the pod's own stay", spec: { initContainers: [{ name: 'kubectl-velero-restore-wait' }, { name: 'restore-hook' }], containers: [{ name: 'c' }] }, want: { initContainers: [{ name: 'restore-hook' }], containers: [{ name: 'c' }] } },
  { name: 'only a restore-wait init container: no initContainers left', spec: { initContainers: [{ name: 'kubectl-velero-restore-wait' }], containers: [{ name: 'c' }] }, want: { containers: [{ name: 'c' }] } },
  { name: 'no serviceAccountName means default', spec: { volumes: [{ name: 'default-token-q' }], containers: [{ name: 'c' }] }, want: { containers: [{ name: 'c' }] } },
];

for (const c of cases) {
  test(`pod: ${c.name}`, () => {
    assert.equal(kept(podAction, pod(c.spec)).spec, c.want);
  });
}

test.run();
