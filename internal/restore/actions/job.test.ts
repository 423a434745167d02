import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { item, kept } from './actions.test-helpers.ts';
import { jobAction } from './job.ts';

const job = (spec: Record<string, unknown>) => item('batch/v1', 'Job', 'migrate', 'shop', { spec });

const cases: { name: string; spec: Record<string, unknown>; want: Record<string, unknown> }[] = [
  {
    name: 'both controller-uid labels go from selector and template; others stay',
    spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1', 'controller-uid': 'u1', app: 'm' } }, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u1', 'controller-uid': 'u1', 'job-name': 'migrate' } } } },
    want: { selector: { matchLabels: { app: 'm' } }, template: { metadata: { labels: { 'job-name': 'migrate' } } } },
  },
  { name: 'a job without selector or labels is unchanged', spec: { template: { spec: { containers: [] } } }, want: { template: { spec: { containers: [] } } } },
  { name: 'matchExpressions stay', spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }, want: { selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } } },
];

for (const c of cases) {
  test(`job: ${c.name}`, () => {
    assert.equal(kept(jobAction, job(c.spec)).spec, c.want);
  });
}

test.run();
