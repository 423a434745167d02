// `make demo` as a teacher runs it: hack/demo on a machine that can run a node tells the PostgreSQL
// story one line per step and ends with every row back; with DEMO_NODE=no it says why there is no
// node and tells the resources-only story. The demo leaves its cluster running; the test stops it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';

const NAME = `demo-e2e-${process.pid}`;

async function demo(extraEnv: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DEMO_CLUSTER: NAME, DEMO_ROWS: '2000', ...extraEnv };
  delete env.KUBECONFIG;
  delete env.KUBECTL_VELERO_CONFIG;
  return promisify(execFile)(join(repoRoot, 'hack', 'demo'), [], { env, timeout: 900_000, maxBuffer: 16 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

test.after(async () => {
  await downCluster(NAME);
});

test('with a node: PostgreSQL backed up with its volume, deleted, previewed, restored, checked, every row counted', async () => {
  const r = await demo({});
  assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  // One numbered line per step, in the story's order.
  const steps = r.stdout.split('\n').filter((l) => /^ ?\d+\. /.test(l)).map((l) => l.replace(/^ ?\d+\. /, ''));
  const story = [/^starting cluster '.*' with a node/, /^adding MinIO/, /^deploying PostgreSQL/, /^backing up namespace demo-db with its volume data/, /^deleting namespace demo-db/, /^previewing the restore/, /^restoring 'demo-\d{14}'/, /^checking the restore/, /^counting the rows/];
  assert.is(steps.length, story.length, r.stdout);
  steps.forEach((line, i) => assert.match(line, story[i]!, r.stdout));
  assert.match(r.stdout, /Backup "demo-\d{14}" completed: \d+ items, 0 errors/);
  assert.match(r.stdout, /Completed:\s+1/, 'one pod volume backup');
  assert.match(r.stdout, /the restore would succeed; nothing was changed/);
  assert.match(r.stdout, /Restore "demo-\d{14}-restore" from backup "demo-\d{14}" completed/);
  assert.match(r.stdout, /Fidelity: \d+ objects checked, 0 missing, 0 different/);
  assert.match(r.stdout, /2000 rows in postgres \S+ \([^)]+\), checksum [0-9a-f]{16}… — every row is back/);
  console.log(r.stdout.split('\n').filter((l) => /^ ?\d+\. |^    /.test(l)).join('\n'));
  assert.match(r.stdout, /Try next:\n/);
  assert.not.match(r.stdout, /No node on this machine/);
});

test('without a node: one line says why, then the resources-only story', async () => {
  const r = await demo({ DEMO_NODE: 'no' });
  assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^No node on this machine \(DEMO_NODE=no\): the demo backs up and restores resources only\.\n/);
  assert.match(r.stdout, /deploying the sample app/);
  assert.match(r.stdout, /Fidelity: \d+ objects checked, 0 missing, 0 different/);
});

test.run();
