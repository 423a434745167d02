// Faults a user meets before anything runs: no kubeconfig, an API server whose port is closed, a
// location that holds no volume repository. Each is one line starting "error:", a non-zero exit,
// a bounded wait, and nothing written to the storage location.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../hack/harness/paths.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
let work: string;
let location: string;
let env: NodeJS.ProcessEnv;

async function velero(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const r = await promisify(execFile)(plugin, args, { env: { ...env, ...extraEnv }, timeout: 120_000 }).then(
    (x) => ({ ...x, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
  );
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

/** Every file under the location, relative. */
function stored(): string[] {
  if (!existsSync(location)) return [];
  return readdirSync(location, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(location.length + 1));
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

test.before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kv-faults-e2e-'));
  location = join(work, 'backups');
  mkdirSync(location);
  // A home without ~/.kube/config and no KUBECONFIG: kubectl's "no configuration" situation.
  const home = join(work, 'home');
  mkdirSync(home);
  env = { ...process.env, HOME: home, KUBECONFIG: '', KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  delete env.KUBECONFIG;
  delete env.KUBERNETES_SERVICE_HOST;
  const r = await velero(['backup-location', 'create', 'disk', '--provider', 'local', '--config', `path=${location}`, '--default']);
  assert.is(r.code, 0, r.stderr);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test('no kubeconfig: backup create and restore create refuse at once, and nothing is stored', async () => {
  for (const args of [['backup', 'create', 'b1'], ['restore', 'create', '--from-backup', 'b1']]) {
    const r = await velero(args);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~\/\.kube\/config[^\n]*\n$/);
  }
  assert.equal(stored(), []);
});

test('an API server whose port is closed: a bounded wait, one line naming it, and nothing stored', async () => {
  const port = await closedPort();
  const kubeconfig = join(work, 'closed.kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
  const r = await velero(['backup', 'create', 'b2', '--kubeconfig', kubeconfig]);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`^error: cannot reach the API server at https://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check --kubeconfig/--context and that the cluster is up\\n$`));
  assert.ok(r.seconds < 30, `took ${r.seconds} s`);
  const restore = await velero(['restore', 'create', '--from-backup', 'b2', '--kubeconfig', kubeconfig]);
  assert.is(restore.code, 1);
  assert.equal(stored(), []);
});

test('repo check, prune and snapshots on a location with no repository: an error, and nothing written', async () => {
  for (const cmd of ['check', 'prune', 'snapshots']) {
    const r = await velero(['repo', cmd]);
    assert.is(r.code, 1, `${cmd}: ${r.stdout}`);
    assert.match(r.stderr, /^error: there is no volume repository in file:\/\/.*: no backup has stored volume data there\n$/);
  }
  assert.equal(stored(), []);
});

test.run();
