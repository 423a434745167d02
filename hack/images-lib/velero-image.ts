// Velero's own image for a harness node, for what a stock Velero runs in the cluster: its node agent
// (a DaemonSet) and the data-path pods the agent starts, which take the DaemonSet's image and run
// `/velero pod-volume backup|restore`. It is the static `velero` binary the harness builds
// (hack/harness/velero.ts) at /velero on the cached `runtime` image, built on first use (not one of
// the RECIPES every node gets) and cached beside them, then imported with ctr: no registry.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBinaries } from '../harness/build.ts';
import { COMPONENTS, pinnedVersion } from '../harness/versions.ts';
import { imageArchive, imagesCacheDir } from './build.ts';
import { buildOnRuntime } from './plugin-image.ts';
import { IMAGE_PREFIX } from './recipes.ts';

const exec = promisify(execFile);

/** Where Velero's images keep the binary (its node agent's and data-path pods' command). */
export const VELERO_EXECUTABLE = '/velero';

/** The reference pods use (imagePullPolicy: Never): kubectl-velero.local/velero:<Velero version>. */
export function veleroImageRef(): string {
  return `${IMAGE_PREFIX}/velero:${pinnedVersion(COMPONENTS.velero)}`;
}

/** The image's archive: the Velero version and the runtime image's recipe hash name it. */
function archivePath(): string {
  const runtime = basename(imageArchive('runtime'), '.tar').replace(/^runtime-/, '');
  return join(imagesCacheDir(), `velero-${pinnedVersion(COMPONENTS.velero)}-${runtime}.tar`);
}

/** Builds the archive when it is missing (~30 s; the velero binary itself ~12 min cold); resolves to its path. */
export async function ensureVeleroImage(): Promise<string> {
  const out = archivePath();
  if (existsSync(out)) return out;
  const { velero } = await ensureBinaries(['velero']);
  mkdirSync(imagesCacheDir(), { recursive: true });
  // Written aside and renamed: a build cut short never leaves an archive a later run would trust.
  const partial = `${out}.partial-${process.pid}`;
  try {
    await buildOnRuntime({
      files: { [VELERO_EXECUTABLE]: velero },
      tag: pinnedVersion(COMPONENTS.velero),
      arch: process.arch === 'x64' ? 'amd64' : process.arch,
      out: partial,
      author: 'kubectl-velero hack/images-lib/velero-image.ts',
      config: { entrypoint: [VELERO_EXECUTABLE], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/tmp'], workdir: '/tmp' },
    });
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  // Archives of another Velero version or runtime image are dead weight.
  for (const f of readdirSync(imagesCacheDir())) if (/^velero-.*\.tar$/.test(f) && join(imagesCacheDir(), f) !== out) rmSync(join(imagesCacheDir(), f), { force: true });
  return out;
}

/** Builds the image if needed and imports it into a node's containerd; resolves to its reference. */
export async function importVeleroImage(containerdSocket: string): Promise<string> {
  const archive = await ensureVeleroImage();
  const ref = veleroImageRef();
  const ctr = (args: string[]) => exec('ctr', ['--address', containerdSocket, '--namespace', 'k8s.io', ...args], { maxBuffer: 16 << 20, timeout: 300_000 });
  await ctr(['images', 'import', '--base-name', ref.replace(/:[^:]*$/, ''), archive]);
  const { stdout } = await ctr(['images', 'ls', '-q']);
  if (!stdout.split('\n').includes(ref)) throw new Error(`${ref} missing in ${containerdSocket} after import`);
  return ref;
}
