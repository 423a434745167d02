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
    const target = join(bundle, 'rootfs', PLUGIN_EXECUTABLE);
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(input.executable, target);
    chmodSync(target, 0o755);
    // One new layer: the executable; the runtime's layers are shared as they are.
    await run('umoci', ['repack', '--image', base, bundle]);
    await run('umoci', [
      'config', '--image', base, '--tag', input.version,
      '--author', 'kubectl-velero make image', '--os', 'linux', '--architecture', input.arch,
      '--config.entrypoint', PLUGIN_EXECUTABLE, '--config.cmd', 'version',
      '--config.user', PLUGIN_USER, '--config.env', 'HOME=/tmp', '--config.workingdir', '/tmp',
    ]);
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
