// Crafted backups against a real API server: the attacks a hostile archive can try on a restore.
// A ServiceAccount named ".." in kube-system once reached the Namespace kube-system through a
// normalised URL and merged its labels there (pod-security "privileged"), and the restore said
// Completed. Here each attack must be refused with its path named, everything else restored, the
// restore PartiallyFailed, and nothing the archive carries reach the terminal unescaped.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { runCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const NAME = `hostile-${process.pid}`;
let cluster: ClusterStatus;
let work: string;
let backups: string;
let env: NodeJS.ProcessEnv;

const run = (cmd: string, args: string[], expectCode = 0) => runCommand(cmd, args, env, expectCode);
const velero = (args: string[], code = 0) => run(plugin, [...args, '--kubeconfig', cluster.kubeconfig], code);
const kubectl = (args: string[], code = 0) => run('kubectl', ['--kubeconfig', cluster.kubeconfig, ...args], code);

async function tarball(entries: { name: string; body: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) pack.entry({ name: e.name }, e.body);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** Puts a crafted archive into the local location as backup `name`, beside a copy of a real backup's record. */
async function plant(name: string, entries: { name: string; body: string }[]): Promise<void> {
  const meta = JSON.parse(readFileSync(join(backups, 'backups', 'real', 'velero-backup.json'), 'utf8'));
  meta.metadata.name = name;
  mkdirSync(join(backups, 'backups', name), { recursive: true });
  writeFileSync(join(backups, 'backups', name, 'velero-backup.json'), JSON.stringify(meta));
  writeFileSync(join(backups, 'backups', name, `${name}.tar.gz`), await tarball([{ name: 'metadata/version', body: '1.1.0\n' }, ...entries]));
}

const cm = (name: string, namespace: string, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { k: 'v' }, ...extra });

test.before(async () => {
  cluster = await upCluster(NAME);
  work = mkdtempSync(join(tmpdir(), 'kv-hostile-e2e-'));
  backups = join(work, 'backups');
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  await run(plugin, ['backup-location', 'create', 'disk', '--provider', 'local', '--config', `path=${backups}`, '--default']);
  await kubectl(['create', 'namespace', 'shop']);
  await velero(['backup', 'create', 'real', '--include-namespaces', 'shop']);
  await kubectl(['delete', 'namespace', 'shop', '--wait']);
});

test.after(async () => {
  await downCluster(NAME);
  rmSync(work, { recursive: true, force: true });
});

test('a ".." ServiceAccount cannot relabel the Namespace kube-system; bad names, kinds and JSON are refused and the rest restored', async () => {
  const before = JSON.parse((await kubectl(['get', 'namespace', 'kube-system', '-o', 'json'])).stdout).metadata.labels;
  const privileged = { 'pod-security.kubernetes.io/enforce': 'privileged', owned: 'yes' };
  await plant('evil', [
    { name: 'resources/serviceaccounts/namespaces/kube-system/...json', body: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: '..', namespace: 'kube-system', labels: privileged } }) },
    // The same through the content: a path name that is fine, content that names "..".
    { name: 'resources/serviceaccounts/namespaces/kube-system/sa.json', body: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: '..', namespace: 'kube-system', labels: privileged } }) },
    // A file under namespaces/ that is a ConfigMap named "pl".
    { name: 'resources/namespaces/cluster/pl.json', body: cm('pl', 'x') },
    // Content in another namespace than its path: restored where the path says.
    { name: 'resources/configmaps/namespaces/shop/moved.json', body: cm('moved', 'kube-system') },
    // apiVersion of another group, which would change the request path.
    { name: 'resources/configmaps/namespaces/shop/regroup.json', body: JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ConfigMap', metadata: { name: 'regroup' } }) },
    { name: 'resources/configmaps/namespaces/shop/broken.json', body: '{"apiVersion": "v1", "kind": ' },
    { name: 'resources/configmaps/namespaces/shop/nothing.json', body: 'null' },
    { name: 'resources/configmaps/namespaces/shop/bidi\u202etxt.json', body: cm('bidi\u202etxt', 'shop') },
    { name: 'resources/configmaps/namespaces/shop/cr\rline.json', body: cm('cr\rline', 'shop') },
    { name: 'resources/configmaps/namespaces/shop/good.json', body: cm('good', 'shop') },
  ]);
  const r = await velero(['restore', 'create', 'evil-1', '--from-backup', 'evil'], 1);
  const printed = r.stdout + r.stderr;
  assert.match(r.stdout, /finished with phase PartiallyFailed/);
  assert.not.match(printed, /[\u202e\r\x1b]/, 'raw control or bidi characters reached the terminal');

  // kube-system is as it was: no label of the archive merged into it, no ServiceAccount "..".
  const after = JSON.parse((await kubectl(['get', 'namespace', 'kube-system', '-o', 'json'])).stdout).metadata.labels;
  assert.equal(after, before);
  await kubectl(['get', 'namespace', 'pl'], 1);
  // The items that are fine are restored, in the namespace of their path.
  await kubectl(['get', 'configmap', '-n', 'shop', 'good']);
  await kubectl(['get', 'configmap', '-n', 'shop', 'moved']);
  await kubectl(['get', 'configmap', '-n', 'kube-system', 'moved'], 1);

  const describe = (await velero(['restore', 'describe', 'evil-1', '--details'])).stdout;
  assert.not.match(describe, /[\u202e\r]/);
  for (const expected of [
    /corrupt item "resources\/serviceaccounts\/namespaces\/kube-system\/\.\.\.json" in the backup: its name "\.\." is not a Kubernetes object name/,
    /corrupt item "resources\/serviceaccounts\/namespaces\/kube-system\/sa\.json" in the backup: its content names "\.\.", its path "sa"/,
    /corrupt item "resources\/namespaces\/cluster\/pl\.json" in the backup: its content is a "ConfigMap", its path a Namespace/,
    /corrupt item "resources\/configmaps\/namespaces\/shop\/regroup\.json" in the backup: its apiVersion "rbac\.authorization\.k8s\.io\/v1" is not in the API group core/,
    /corrupt item "resources\/configmaps\/namespaces\/shop\/broken\.json" in the backup: not valid JSON/,
    /corrupt item "resources\/configmaps\/namespaces\/shop\/nothing\.json" in the backup: its content is null/,
    /corrupt item "resources\/configmaps\/namespaces\/shop\/cr\\rline\.json" in the backup: its name "cr\\rline" is not a Kubernetes object name: it contains control characters/,
    /bidi\\u202etxt/,
  ]) assert.match(describe, expected);
});

test('an archive that expands past a bound is refused with the bound and its flag named, and nothing restored', async () => {
  await plant('bomb', [{ name: 'resources/configmaps/namespaces/shop/big.json', body: cm('big', 'shop', { data: { k: 'x'.repeat(5 << 20) } }) }]);
  const r = await velero(['restore', 'create', 'bomb-1', '--from-backup', 'bomb'], 1);
  assert.match(r.stderr, /^error: the backup archive is corrupt or not a Velero backup: entry "resources\/configmaps\/namespaces\/shop\/big\.json" is \d+ bytes, over the 4194304-byte limit for one item \(--max-item-size raises the limit\)\n$/);
  await kubectl(['get', 'configmap', '-n', 'shop', 'big'], 1);
});

test.run();
