// Interop with a stock Velero server (v1.18, built from the Go module proxy and run beside the
// cluster, hack/harness/velero.ts), both ways, on a namespace with a bit of everything (a CRD and its
// custom resources, every kind of workload, RBAC with cluster-scoped bindings, a fixed node port,
// secrets of several types): our backup is synced by Velero's backup-sync controller and restored
// by Velero; Velero's backup is restored by us. Each restore is judged by our fidelity report, and
// the two tools' `backup describe` agree on phase, item counts and resources.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { startVelero, veleroLogTail, type VeleroServer } from '../hack/harness/velero.ts';
import { RICH_CRD, richClusterObjects, richCrdYaml, richNamespaceYaml } from './fixtures/rich-namespace.ts';
import { runCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const NAME = `interop-${process.pid}`;
const NS = 'rich';
const NODE_PORT = 30000 + (process.pid % 2000);
let c: ClusterStatus;
let server: VeleroServer | undefined;
let work: string;
let env: NodeJS.ProcessEnv;

const ours = (args: string[], code = 0) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], env, code);
const kubectl = (args: string[], code = 0) => runCommand('kubectl', ['--kubeconfig', c.kubeconfig, ...args], env, code);
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Velero's CLI; a failure shows the server log's tail too. */
async function velero(args: string[]): Promise<string> {
  const r = await server!.cli(args);
  assert.is(r.code, 0, `velero ${args.join(' ')}:\n${r.stdout}\n${r.stderr}\n--- server log:\n${veleroLogTail(server!)}`);
  return stripAnsi(r.stdout);
}

interface Described {
  phase: string;
  total: string;
  backedUp: string;
  resources: Record<string, string[]>;
}

/** What both tools' `backup describe --details` must agree on. */
function described(text: string): Described {
  const field = (label: string) => new RegExp(`^${label}:\\s+(\\S+)`, 'm').exec(text)?.[1] ?? '<absent>';
  const resources: Record<string, string[]> = {};
  let kind: string | undefined;
  let inList = false;
  for (const line of text.split('\n')) {
    if (line === 'Resource List:') inList = true;
    else if (inList && /^ {2}\S.*:$/.test(line)) resources[(kind = line.trim().slice(0, -1))] = [];
    else if (inList && kind && /^ {4}- /.test(line)) resources[kind]!.push(line.trim().slice(2));
    else if (inList && line.trim() !== '' && !line.startsWith(' ')) inList = false;
  }
  return { phase: field('Phase'), total: field('Total items to be backed up'), backedUp: field('Items backed up'), resources };
}

/** Items whose names change with every run of the controllers (pods, events, endpoint slices). */
const STABLE = (kind: string) => !/^(v1\/Pod|v1\/Event|events\.k8s\.io\/v1\/Event|discovery\.k8s\.io\/v1\/EndpointSlice)$/.test(kind);
const stableResources = (r: Record<string, string[]>) => Object.fromEntries(Object.entries(r).filter(([k]) => STABLE(k)));

async function agreeOnDescribe(backup: string): Promise<Described> {
  const theirs = described(await velero(['backup', 'describe', backup, '--details']));
  const mine = described((await ours(['backup', 'describe', backup, '--details'])).stdout);
  assert.is(mine.phase, 'Completed');
  assert.equal(mine, theirs, `backup describe ${backup}: ours and Velero's agree on phase, item counts and resources`);
  assert.ok(Object.keys(mine.resources).length >= 25, `the backup holds the fixture's kinds: ${Object.keys(mine.resources).join(', ')}`);
  return mine;
}

/** As after an accident: the namespace, its cluster-scoped objects and the CRD are gone. */
async function deleteEverything(): Promise<void> {
  await kubectl(['delete', 'namespace', NS, '--wait=true', '--timeout=120s']);
  for (const [kind, name] of richClusterObjects(NS)) await kubectl(['delete', kind!, name!, '--wait=true']);
  await kubectl(['delete', 'crd', RICH_CRD, '--wait=true']);
}

test.before(async () => {
  c = await upCluster(NAME);
  work = mkdtempSync(join(tmpdir(), 'kv-interop-e2e-'));
  // No plugin config: the plugin uses the cluster's BackupStorageLocation, the one Velero uses.
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), XDG_DATA_HOME: join(work, 'data') };
  writeFileSync(join(work, 'crd.yaml'), richCrdYaml());
  await kubectl(['apply', '-f', join(work, 'crd.yaml')]);
  await kubectl(['wait', '--for=condition=Established', `crd/${RICH_CRD}`]);
  writeFileSync(join(work, 'rich.yaml'), richNamespaceYaml(NS, NODE_PORT));
  await kubectl(['apply', '-f', join(work, 'rich.yaml')]);
  // After the CRD: Velero reads API discovery at start and then only every 5 minutes.
  server = await startVelero(c, { prefix: 'interop' });
});

test.after(async () => {
  await server?.stop();
  await downCluster(NAME);
  rmSync(work, { recursive: true, force: true });
});

test('our backup is synced by Velero and restored by Velero; our fidelity report finds no difference', async () => {
  await ours(['backup', 'create', 'ours-1', '--include-namespaces', NS]);
  // Velero's backup-sync controller makes the Backup object from what we wrote in the location.
  assert.is(await server!.waitForPhase('backup', 'ours-1', ['Completed'], 90_000), 'Completed');
  assert.match(await velero(['backup', 'get']), /\nours-1\s+Completed\s+0\s+0\s/);
  await agreeOnDescribe('ours-1');

  await deleteEverything();
  await velero(['restore', 'create', 'r-ours', '--from-backup', 'ours-1', '--wait']);
  assert.is(await server!.waitForPhase('restore', 'r-ours', ['Completed', 'PartiallyFailed', 'Failed']), 'Completed');
  // Velero's own account: no errors (it prints an Errors section only when there are some; its
  // usual warning about the namespace's kube-root-ca.crt may be there).
  const account = await velero(['restore', 'describe', 'r-ours']);
  assert.not.match(account, /\nErrors:/, account);
  assert.match(account, /Items restored:\s+(\d+)/);

  const report = await ours(['restore', 'describe', 'r-ours', '--fidelity']);
  const summary = /Fidelity:\s+(\d+) objects checked, (\d+) missing, (\d+) different/.exec(report.stdout);
  assert.ok(summary, report.stdout);
  assert.ok(Number(summary![1]) >= 35, `objects checked: ${summary![1]}`);
  assert.is(`${summary![2]} missing, ${summary![3]} different`, '0 missing, 0 different', report.stdout);
  assert.match((await kubectl(['get', 'service', 'web-public', '-n', NS, '-o', 'jsonpath={.spec.ports[0].nodePort}'])).stdout, new RegExp(`^${NODE_PORT}$`));
});

test("Velero's backup is restored by us; the fidelity report finds no difference; both tools select the same objects", async () => {
  await velero(['backup', 'create', 'v-1', '--include-namespaces', NS, '--wait']);
  assert.is(await server!.waitForPhase('backup', 'v-1', ['Completed', 'PartiallyFailed', 'Failed']), 'Completed');
  const theirs = await agreeOnDescribe('v-1');
  assert.match((await ours(['backup', 'get'])).stdout, /\nv-1\s+Completed\s+0\s+0\s/);
  // Our backup of the same namespace holds the same objects, but for the ones controllers name anew.
  const mine = described((await ours(['backup', 'describe', 'ours-1', '--details'])).stdout);
  assert.equal(stableResources(mine.resources), stableResources(theirs.resources), 'our backup and Velero\'s select the same objects');

  await deleteEverything();
  const restored = await ours(['restore', 'create', 'r-v', '--from-backup', 'v-1']);
  assert.match(restored.stdout, /Restore "r-v" from backup "v-1" completed: \d+ items restored, 0 errors/);
  const report = await ours(['restore', 'describe', 'r-v', '--fidelity']);
  assert.match(report.stdout, /Fidelity:\s+\d+ objects checked, 0 missing, 0 different/, report.stdout);
  assert.match((await kubectl(['get', 'gadgets.interop.example.com', 'sprocket', '-n', NS, '-o', 'jsonpath={.spec.colour}'])).stdout, /^red$/);
});

test.run();
