// The plugin's own OCI image (`make image`), for the CronJob of `schedule install`: the Linux release
// executable (the Node.js SEA `make dist` builds) as one layer on the cached `runtime` image
// (Debian minbase + CA certificates), made with umoci like the harness's images — no registry, no
// container engine. The result is an OCI layout in a tar: `ctr images import` reads it, and
// `skopeo copy oci-archive:FILE:TAG docker://REGISTRY/REPO:TAG` pushes it (README, "Schedules").
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unmountUnder } from '../node/mounts.ts';
import { ensureImages, imagesCacheDir } from './build.ts';
import { IMAGE_PREFIX, SUITE } from './recipes.ts';

/** Where the image puts the executable; the CronJob runs it as the entrypoint. */
export const PLUGIN_EXECUTABLE = '/usr/local/bin/kubectl-velero';
/** Not root: the plugin needs no privilege in its pod, only its ServiceAccount's. */
export const PLUGIN_USER = '65532:65532';

/** The reference `ctr images import --base-name` gives the image (the tag is the version). */
export function pluginImageRef(version: string): string {
  return `${IMAGE_PREFIX}/kubectl-velero:${version}`;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out.trim()}`))));
  });
}

export interface PluginImageInput {
  /** The Linux release executable (build/sea/linux-<arch>/kubectl-velero). */
  executable: string;
  /** The image's tag: the plugin's version. */
  version: string;
  /** OCI architecture name: amd64, arm64. */
  arch: string;
  /** Where the tar of the OCI layout is written. */
  out: string;
}

export async function buildPluginImage(input: PluginImageInput): Promise<void> {
  await buildOnRuntime({
    files: { [PLUGIN_EXECUTABLE]: input.executable },
    tag: input.version,
    arch: input.arch,
    out: input.out,
    author: 'kubectl-velero make image',
    config: { entrypoint: [PLUGIN_EXECUTABLE], cmd: ['version'], user: PLUGIN_USER, env: ['HOME=/tmp'], workdir: '/tmp' },
  });
}

export interface RuntimeImageInput {
  /** Executables put in the image: target path → file on this machine (mode 0755). */
  files: Record<string, string>;
  tag: string;
  /** OCI architecture name: amd64, arm64. */
  arch: string;
  /** Where the tar of the OCI layout is written. */
  out: string;
  author: string;
  config: { entrypoint?: string[]; cmd?: string[]; user?: string; env?: string[]; workdir?: string };
}

/**
 * An image of the cached `runtime` image plus one layer of executables (the plugin's own image, the
 * harness's Velero image), as a tar of an OCI layout. Needs root: umoci unpack keeps file owners.
 */
export async function buildOnRuntime(input: RuntimeImageInput): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('building the image needs root (umoci unpack keeps file owners)');
  const { runtime } = await ensureImages(['runtime']);
  mkdirSync(imagesCacheDir(), { recursive: true });
  const tmp = mkdtempSync(join(imagesCacheDir(), '.plugin-'));
  const layout = join(tmp, 'oci');
  const bundle = join(tmp, 'bundle');
  try {
    mkdirSync(layout);
    await run('tar', ['-C', layout, '-xf', runtime]);
    const base = `${layout}:${SUITE}`;
    await run('umoci', ['unpack', '--image', base, bundle]);
    for (const [to, from] of Object.entries(input.files)) {
      const target = join(bundle, 'rootfs', to);
      mkdirSync(join(target, '..'), { recursive: true });
      copyFileSync(from, target);
      chmodSync(target, 0o755);
    }
    // One new layer: the executables; the runtime's layers are shared as they are.
    await run('umoci', ['repack', '--image', base, bundle]);
    const c = input.config;
    const args = ['config', '--image', base, '--tag', input.tag, '--author', input.author, '--os', 'linux', '--architecture', input.arch];
    for (const e of c.entrypoint ?? []) args.push('--config.entrypoint', e);
    for (const e of c.cmd ?? []) args.push('--config.cmd', e);
    if (c.user) args.push('--config.user', c.user);
    for (const e of c.env ?? []) args.push('--config.env', e);
    if (c.workdir) args.push('--config.workingdir', c.workdir);
    await run('umoci', args);
    await run('umoci', ['rm', '--image', base]);
    await run('umoci', ['gc', '--layout', layout]);
    await run('tar', ['-C', layout, '-cf', join(tmp, 'image.tar'), '.']);
    mkdirSync(join(input.out, '..'), { recursive: true });
    // The cache and dist/ may be on different file systems: a copy, not a rename.
    copyFileSync(join(tmp, 'image.tar'), input.out);
  } finally {
    unmountUnder(tmp);
    rmSync(tmp, { recursive: true, force: true });
  }
}
