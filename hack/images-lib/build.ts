// Builds the harness's OCI images without a registry or a container engine: a Debian root
// filesystem from debootstrap (--variant=minbase), packages installed with apt-get in a chroot,
// packed into an OCI layout by umoci and archived as a tar that `ctr images import` reads.
// Each archive is cached as ~/.cache/kubectl-velero/images/<name>-<recipe hash>.tar.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureBinaries } from '../harness/build.ts';
import { cacheRoot } from '../harness/paths.ts';
import { unmountUnder } from '../node/mounts.ts';
import { IMAGE_NAMES, type ImageName, type ImageRecipe, RECIPES, SUITE, recipeHash, sourcePath } from './recipes.ts';

export function imagesCacheDir(): string {
  return join(cacheRoot(), 'images');
}

export function imageArchive(name: ImageName): string {
  return join(imagesCacheDir(), `${name}-${recipeHash(name)}.tar`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-8000);
      if (!opts.quiet && process.env.KUBECTL_VELERO_VERBOSE) process.stderr.write(d);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out.trim()}`))));
  });
}

/**
 * The Debian mirror this machine's apt already uses (first `bookworm` entry of
 * /etc/apt/sources.list{,.d/*}), so builds go where apt goes; KUBECTL_VELERO_DEBIAN_MIRROR overrides.
 */
export function debianMirror(): string {
  if (process.env.KUBECTL_VELERO_DEBIAN_MIRROR) return process.env.KUBECTL_VELERO_DEBIAN_MIRROR;
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) for (const f of readdirSync('/etc/apt/sources.list.d').sort()) files.push(join('/etc/apt/sources.list.d', f));
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.list') || file === '/etc/apt/sources.list') {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m?.[1] && m[2] === SUITE) return m[1];
      }
    } else if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (key: string) => new RegExp(`^${key}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (field('Enabled')[0] === 'no' || !field('Types').includes('deb')) continue;
        const uri = field('URIs')[0];
        if (uri && field('Suites').includes(SUITE)) return uri;
      }
    }
  }
  throw new Error(`no apt source for Debian ${SUITE} in /etc/apt/sources.list{,.d}: set KUBECTL_VELERO_DEBIAN_MIRROR`);
}

/** apt-get in the chroot `root`, with /proc mounted and services kept from starting. */
async function chrootInstall(root: string, recipe: ImageRecipe, mirror: string): Promise<void> {
  writeFileSync(join(root, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  writeFileSync(join(root, 'etc/apt/sources.list'), `deb ${mirror} ${SUITE} main\n`);
  // No docs, man pages or translations in the images.
  mkdirSync(join(root, 'etc/dpkg/dpkg.cfg.d'), { recursive: true });
  writeFileSync(join(root, 'etc/dpkg/dpkg.cfg.d/01-kubectl-velero'), ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*', '/usr/share/lintian/*'].map((p) => `path-exclude=${p}\n`).join('') + 'path-include=/usr/share/locale/locale.alias\n');
  if (recipe.packages.includes('postgresql-15')) {
    // The entrypoint makes the cluster in the pod's volume, not the package at install time.
    mkdirSync(join(root, 'etc/postgresql-common'), { recursive: true });
    writeFileSync(join(root, 'etc/postgresql-common/createcluster.conf'), 'create_main_cluster = false\n');
  }
  copyFileSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'));
  execFileSync('mount', ['-t', 'proc', 'proc', join(root, 'proc')]);
  try {
    const apt = 'apt-get -o Acquire::Check-Valid-Until=false -o Acquire::Retries=3 -qq';
    const script = [
      'set -e',
      `${apt} update`,
      `DEBIAN_FRONTEND=noninteractive ${apt} install -y --no-install-recommends ${recipe.packages.join(' ')}`,
      recipe.postInstall ?? ':',
      `${apt} clean`,
    ].join('\n');
    await run('chroot', [root, '/bin/sh', '-c', script], { env: { LC_ALL: 'C', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  } finally {
    unmountUnder(join(root, 'proc'));
  }
  for (const p of ['usr/sbin/policy-rc.d', 'etc/resolv.conf']) rmSync(join(root, p), { force: true });
  writeFileSync(join(root, 'etc/resolv.conf'), '');
  for (const dir of ['var/lib/apt/lists', 'var/cache/apt', 'var/log', 'tmp']) {
    const d = join(root, dir);
    if (existsSync(d)) for (const f of readdirSync(d)) if (f !== 'partial') rmSync(join(d, f), { recursive: true, force: true });
  }
}

async function debootstrap(target: string, mirror: string): Promise<void> {
  process.stderr.write(`images: debootstrap --variant=minbase ${SUITE} (from the mirror apt uses)…\n`);
  await run('debootstrap', ['--variant=minbase', SUITE, target, mirror]);
  // debootstrap's download cache, not part of any image.
  rmSync(join(target, 'var/cache/apt/archives'), { recursive: true, force: true });
  mkdirSync(join(target, 'var/cache/apt/archives/partial'), { recursive: true });
}

async function buildPause(rootfs: string): Promise<void> {
  const src = sourcePath('pause/main.go');
  await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(rootfs, 'pause'), src], { cwd: dirname(src), env: { CGO_ENABLED: '0', GO111MODULE: 'off', GOFLAGS: '' } });
}

/** One build: base root filesystem, packages, files, umoci repack + config, tar of the layout. */
async function buildImage(name: ImageName, work: string, base: () => Promise<string>, mirror: () => string): Promise<void> {
  const recipe: ImageRecipe = RECIPES[name];
  const target = imageArchive(name);
  const started = Date.now();
  const tmp = mkdtempSync(join(work, `${name}-`));
  const layout = join(tmp, 'oci');
  const ref = `${layout}:${SUITE}`;
  const bundle = join(tmp, 'bundle');
  const rootfs = join(bundle, 'rootfs');
  try {
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', ref]);
    await run('umoci', ['unpack', '--image', ref, bundle]);
    if (recipe.base === 'pause') {
      await buildPause(rootfs);
    } else {
      await run('cp', ['-a', `${await base()}/.`, rootfs]);
      process.stderr.write(`images: ${name}: apt-get install ${recipe.packages.join(' ') || '(nothing)'}…\n`);
      await chrootInstall(rootfs, recipe, mirror());
      for (const [to, from] of Object.entries(recipe.files)) {
        mkdirSync(dirname(join(rootfs, to)), { recursive: true });
        copyFileSync(sourcePath(from), join(rootfs, to));
        chmodSync(join(rootfs, to), 0o755);
      }
      const binaries = Object.entries(recipe.binaries ?? {});
      if (binaries.length) {
        const built = await ensureBinaries(binaries.map(([, component]) => component));
        for (const [to, component] of binaries) {
          mkdirSync(dirname(join(rootfs, to)), { recursive: true });
          copyFileSync(built[component], join(rootfs, to));
          chmodSync(join(rootfs, to), 0o755);
        }
      }
    }
    await run('umoci', ['repack', '--image', ref, bundle]);
    const c = recipe.config;
    const args = ['config', '--image', ref, '--author', 'kubectl-velero hack/images', '--os', 'linux', '--architecture', goArch()];
    for (const e of c.entrypoint ?? []) args.push('--config.entrypoint', e);
    for (const e of c.cmd ?? []) args.push('--config.cmd', e);
    for (const e of c.env ?? []) args.push('--config.env', e);
    if (c.user) args.push('--config.user', c.user);
    if (c.workdir) args.push('--config.workingdir', c.workdir);
    await run('umoci', args);
    await run('umoci', ['gc', '--layout', layout]);
    await run('tar', ['-C', layout, '-cf', join(tmp, 'image.tar'), '.']);
    renameSync(join(tmp, 'image.tar'), target);
    // Older archives of the same image are dead weight.
    for (const f of readdirSync(imagesCacheDir())) if (f.startsWith(`${name}-`) && f.endsWith('.tar') && join(imagesCacheDir(), f) !== target) rmSync(join(imagesCacheDir(), f), { force: true });
    process.stderr.write(`images: built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  } finally {
    unmountUnder(tmp);
    rmSync(tmp, { recursive: true, force: true });
  }
}

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

/** Builds the images whose archive is missing (one debootstrap shared by all) and returns every archive path. */
export async function ensureImages(names: readonly ImageName[] = IMAGE_NAMES): Promise<Record<ImageName, string>> {
  const missing = names.filter((n) => !existsSync(imageArchive(n)));
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) throw new Error(`building images (${missing.join(', ')}) needs root: debootstrap, chroot and mount`);
    mkdirSync(imagesCacheDir(), { recursive: true });
    const work = mkdtempSync(join(imagesCacheDir(), '.build-'));
    let mirror: string | undefined;
    const getMirror = () => (mirror ??= debianMirror());
    let basePromise: Promise<string> | undefined;
    const base = () =>
      (basePromise ??= (async () => {
        const dir = join(work, 'base');
        await debootstrap(dir, getMirror());
        return dir;
      })());
    const started = Date.now();
    try {
      for (const name of missing) await buildImage(name, work, base, getMirror);
    } finally {
      unmountUnder(work);
      rmSync(work, { recursive: true, force: true });
    }
    process.stderr.write(`images: ${missing.join(', ')} built in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  return Object.fromEntries(names.map((n) => [n, imageArchive(n)])) as Record<ImageName, string>;
}
