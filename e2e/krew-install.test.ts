// The release as a user gets it through Krew (linux/amd64): Krew's own validator installs every
// platform's archive from a manifest served on loopback; then the real krew installs the plugin
// from krew/velero.yaml and the linux/amd64 archive, kubectl runs it — with no Node.js on PATH —
// and completes it through kubectl_complete-velero; uninstalling leaves the Krew root as it was.
// Each target's SEA blob is also started in a node of that target's version (the blob layout
// differs between Node.js releases, and only linux/amd64 executables can run here).
// Needs `make dist` (dist/ and krew/velero.yaml); `make test-dist` builds it and runs this.
import { execFile } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { archiveName, distDir, manifestPath, packageVersion, readSums, templatePath } from '../hack/release/layout.ts';
import { renderManifest } from '../hack/release/manifest.ts';
import { ensureNodeBinary } from '../hack/release/node-binaries.ts';
import { injectBlob } from '../hack/release/sea.ts';
import { blobBuilder, TARGETS } from '../hack/release/targets.ts';
import { ensureKrewTools, type KrewTools } from '../hack/release/tools.ts';
import { repoRoot } from '../hack/harness/paths.ts';

const version = packageVersion();
const linuxArchive = join(distDir, archiveName(version, { os: 'linux', arch: 'amd64' }));
const ready = existsSync(manifestPath) && existsSync(linuxArchive) && process.platform === 'linux' && process.arch === 'x64';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeout = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function ok(r: Run, what: string): Run {
  if (r.code !== 0) assert.unreachable(`${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Every path under `root` with its kind, sorted: the Krew root's state to compare. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      out.push(`${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f'} ${relative(root, p)}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, cmd);
    if (dir && existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

let tmp = '';
let tools: KrewTools;
let env: NodeJS.ProcessEnv = {};
let krewRoot = '';
let toolsBin = '';
let server: Server | undefined;

if (!ready) {
  const why = `needs make dist first (${relative(process.cwd(), linuxArchive)} and krew/velero.yaml) on linux/amd64`;
  if (process.env.KUBECTL_VELERO_REQUIRE_DIST) test('release artifacts are there', () => assert.unreachable(why));
  else test.skip(`Krew install test: ${why}`, () => {});
} else {
  test.before(async () => {
    tools = await ensureKrewTools();
    const kubectl = which('kubectl');
    if (!kubectl) throw new Error('kubectl is not on PATH');
    tmp = mkdtempSync(join(tmpdir(), 'kv-krew-'));
    // The PATH the plugin sees holds kubectl, krew and the Krew bin dir — and no Node.js.
    toolsBin = join(tmp, 'tools');
    mkdirSync(toolsBin);
    symlinkSync(realpathSync(kubectl), join(toolsBin, 'kubectl'));
    symlinkSync(tools.krew, join(toolsBin, 'kubectl-krew'));
    // Krew runs git for its plugin index (which `krew uninstall` insists on having).
    const git = which('git');
    if (!git) throw new Error('git is not on PATH');
    symlinkSync(git, join(toolsBin, 'git'));
    krewRoot = join(tmp, 'krew-root');
    mkdirSync(join(tmp, 'home'));
    env = {
      PATH: [join(krewRoot, 'bin'), toolsBin].join(delimiter),
      HOME: join(tmp, 'home'),
      KREW_ROOT: krewRoot,
      KREW_NO_UPGRADE_CHECK: '1',
      KUBECONFIG: join(tmp, 'no-kubeconfig'),
    };
  });

  test.after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('Krew’s validator installs every platform’s archive from the manifest', async () => {
    // The same manifest, pointing at dist/ served on loopback instead of the release URL.
    const files = new Set(TARGETS.map((t) => archiveName(version, t)));
    server = createServer((req, res) => {
      const name = (req.url ?? '').replace(/^\//, '');
      if (req.method !== 'GET' || !files.has(name)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': statSync(join(distDir, name)).size });
      createReadStream(join(distDir, name)).pipe(res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const sums = readSums();
    const archives = TARGETS.map((t) => ({ os: t.os, arch: t.arch, file: archiveName(version, t), sha256: sums.get(archiveName(version, t)) ?? '' }));
    const dir = join(tmp, 'validate');
    mkdirSync(dir);
    const manifest = join(dir, 'velero.yaml');
    writeFileSync(manifest, renderManifest(readFileSync(templatePath, 'utf8'), version, `http://127.0.0.1:${port}/`, archives));
    const r = ok(await run(tools.validator, ['-manifest', manifest], { ...env, PATH: toolsBin }, 300_000), 'validate-krew-manifest');
    assert.match(r.stdout + r.stderr, `all ${TARGETS.length} spec.platforms installed fine`);
  });

  test('every target’s SEA blob starts in a node of that target’s version', async () => {
    // Only linux/amd64 runs here; the others' blobs are checked in this platform's node of their
    // version, which reads the same blob layout (it changes between releases, not platforms).
    for (const t of TARGETS) {
      const blob = join(repoRoot, 'build', 'sea', `${t.os}-${t.arch}.blob`);
      if (!existsSync(blob)) assert.unreachable(`${relative(repoRoot, blob)} is missing: run make dist (all targets)`);
      const builder = blobBuilder(t.nodeVersion);
      const exe = join(tmp, `blob-check-${t.os}-${t.arch}`);
      await injectBlob(builder, ensureNodeBinary(builder), blob, exe);
      const out = ok(await run(exe, ['version', '-o', 'json'], env), `${t.os}/${t.arch} blob in node ${t.nodeVersion}`).stdout;
      assert.is((JSON.parse(out) as { client: { nodeVersion: string } }).client.nodeVersion, `v${t.nodeVersion}`);
      rmSync(exe);
    }
  });

  let before: string[] = [];

  test('kubectl krew install, then kubectl velero runs without Node.js on PATH', async () => {
    for (const dir of (env.PATH ?? '').split(delimiter)) assert.not.ok(existsSync(join(dir, 'node')), `node found in ${dir}`);
    // A Krew root as users have it: laid out, with a default index. The index is a local git
    // repository here (the real one is cloned from GitHub), with no plugins in it.
    ok(await run('kubectl', ['krew', 'version'], env), 'kubectl krew version');
    const index = join(tmp, 'index-repo');
    mkdirSync(join(index, 'plugins'), { recursive: true });
    writeFileSync(join(index, 'plugins', '.keep'), '');
    const gitEnv = { ...env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@localhost', GIT_CONFIG_NOSYSTEM: '1' };
    ok(await run('git', ['-C', index, 'init', '-q', '-b', 'master'], gitEnv), 'git init');
    ok(await run('git', ['-C', index, 'add', '.'], gitEnv), 'git add');
    ok(await run('git', ['-C', index, 'commit', '-q', '-m', 'empty index'], gitEnv), 'git commit');
    ok(await run('kubectl', ['krew', 'index', 'add', 'default', index], env), 'kubectl krew index add');
    before = tree(krewRoot);
    const install = ok(await run('kubectl', ['krew', 'install', `--manifest=${manifestPath}`, `--archive=${linuxArchive}`], env), 'krew install');
    assert.match(install.stdout + install.stderr, /Installed plugin: velero/);

    const text = ok(await run('kubectl', ['velero', 'version'], env), 'kubectl velero version').stdout;
    assert.match(text, new RegExp(`Version: ${version.replace(/\./g, '\\.')}\\n`));
    assert.match(text, /Git commit: [0-9a-f]{12}\n/);
    assert.match(text, /Node\.js: v24\.\d+\.\d+ \(linux\/x64\)/);
    const json = JSON.parse(ok(await run('kubectl', ['velero', 'version', '-o', 'json'], env), 'version -o json').stdout) as {
      client: { version: string; gitCommit: string; nodeVersion: string; platform: string };
    };
    assert.equal({ ...json.client, gitCommit: json.client.gitCommit.length }, { version, gitCommit: 12, nodeVersion: 'v24.21.0', platform: 'linux/x64' });

    const help = ok(await run('kubectl', ['velero', '--help'], env), 'kubectl velero --help').stdout;
    assert.match(help, /kubectl velero version/);
    assert.match(help, /kubectl velero completion/);
    // What Krew installed: the executable, the completion helper and the licenses.
    const store = dirname(realpathSync(join(krewRoot, 'bin', 'kubectl-velero')));
    assert.equal(readdirSync(store).sort(), ['LICENSE', 'THIRD_PARTY_LICENSES', 'kubectl-velero', 'kubectl_complete-velero']);
  });

  test('kubectl completes kubectl velero … through kubectl_complete-velero, as the caveats set it up', async () => {
    // The manifest's caveats: copy the helper from beside the plugin into the Krew bin dir.
    const store = dirname(realpathSync(join(krewRoot, 'bin', 'kubectl-velero')));
    const helper = join(krewRoot, 'bin', 'kubectl_complete-velero');
    copyFileSync(join(store, 'kubectl_complete-velero'), helper);
    try {
      const top = ok(await run('kubectl', ['__complete', 'velero', ''], env), 'kubectl __complete velero').stdout.trimEnd().split('\n');
      assert.is(top[top.length - 1], ':4');
      const words = top.slice(0, -1).map((l) => l.split('\t')[0]);
      assert.ok(words.includes('version') && words.includes('completion'), top.join('\n'));
      const flags = ok(await run('kubectl', ['__complete', 'velero', 'version', '--ou'], env), '__complete flags').stdout;
      assert.match(flags, /^--output\t/m);
      const values = ok(await run('kubectl', ['__complete', 'velero', 'version', '--output', ''], env), '__complete values').stdout;
      assert.is(values.split('\n').filter(Boolean).join(' '), 'table json yaml :4');
    } finally {
      rmSync(helper);
    }
  });

  test('kubectl krew uninstall velero leaves the Krew root as it was before', async () => {
    ok(await run('kubectl', ['krew', 'uninstall', 'velero'], env), 'krew uninstall');
    const after = tree(krewRoot);
    assert.equal(after, before);
    const outsideIndex = after.filter((p) => !/^. index\//.test(p));
    assert.not.ok(outsideIndex.some((p) => p.includes('velero')), outsideIndex.join('\n'));
    assert.not.ok(outsideIndex.some((p) => !p.startsWith('d ')), `files left: ${outsideIndex.join('\n')}`);
    const gone = await run('kubectl', ['velero', 'version'], env);
    assert.is.not(gone.code, 0);
  });
}

test.run();
