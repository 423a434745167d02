// Puts the harness's images into a node's containerd (namespace k8s.io, where the CRI looks) with
// `ctr images import`: no registry is ever involved, and pods use imagePullPolicy: Never.
import { spawn } from 'node:child_process';
import { ensureImages } from './build.ts';
import { IMAGE_NAMES, IMAGE_PREFIX, type ImageName, imageRef as imageRefOf } from './recipes.ts';

function ctr(address: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn('ctr', ['--address', address, '--namespace', 'k8s.io', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`ctr ${args.join(' ')} exited with ${code}: ${out.trim()}`))));
  });
}

/**
 * Builds what is missing, then imports the images into the containerd at `address`, all at once:
 * unpacking is part gunzip, part disk, so on two cores three parallel imports take ~10 s, not ~17.
 */
export async function importImages(address: string, names: readonly ImageName[] = IMAGE_NAMES): Promise<void> {
  const archives = await ensureImages(names);
  const importOne = (name: ImageName) => ctr(address, ['images', 'import', '--base-name', `${IMAGE_PREFIX}/${name}`, archives[name]]);
  // Parallel imports share containerd's "tar-index.json" ingest ref; ctr waits for it, but should
  // one still fail, it gets a second try.
  await Promise.all(names.map((name) => importOne(name).catch(async () => {
    await new Promise((r) => setTimeout(r, 1000));
    return importOne(name);
  })));
  const present = await ctr(address, ['images', 'ls', '-q']);
  const missing = names.filter((n) => !present.split('\n').includes(imageRefOf(n)));
  if (missing.length) throw new Error(`images missing in ${address} after import: ${missing.join(', ')}`);
}
