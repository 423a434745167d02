// Builds one self-contained kubectl-velero executable per target as a Node.js single executable
// application (SEA): the plugin bundled into one CommonJS script (Node 24 SEAs run CommonJS),
// turned into a preparation blob by `node --experimental-sea-config` (Node 24.21 has no
// --build-sea), and injected into a copy of the target's official node binary with postject.
// macOS binaries are then re-signed ad hoc with rcodesign when it is installed (`make tools-rcodesign`).
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, ftruncateSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { cacheRoot, repoRoot } from '../harness/paths.ts';
import { hostTarget, type Target } from './targets.ts';

/** Sentinel compiled into official node binaries; postject flips it to mark the binary as a SEA. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
export const RCODESIGN_VERSION = '0.29.0';

/** hack/build.mjs is plain JavaScript; imported by URL so TypeScript does not ask for its types. */
async function buildScript(): Promise<{ commonBuildOptions(): BuildOptions; V8_FLAGS: string[] }> {
  return (await import(pathToFileURL(join(repoRoot, 'hack', 'build.mjs')).href)) as { commonBuildOptions(): BuildOptions; V8_FLAGS: string[] };
}

/** Bundles hack/release/sea-main.ts, with the same version/commit stamps as `make build`, into `outfile`. */
export async function bundleForSea(outfile: string): Promise<Metafile> {
  const result = await build({
    ...(await buildScript()).commonBuildOptions(),
    entryPoints: [join(repoRoot, 'hack', 'release', 'sea-main.ts')],
    format: 'cjs',
    outfile,
    // Smaller script, less to parse at every start; names stay so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    metafile: true,
  });
  return result.metafile;
}

/**
 * Whether the blob for `t` can carry a V8 code cache. The cache is only valid for the V8 (so the
 * Node.js version) and platform that made it — and a node binary can only be run here for the
 * host's own target — so every other target gets a blob without one (V8 would reject a foreign
 * cache and compile from source anyway, wasting the bytes).
 */
export function canUseCodeCache(t: Target): boolean {
  const host = hostTarget();
  return host !== undefined && host.os === t.os && host.arch === t.arch && t.nodeVersion === process.versions.node;
}

function run(cmd: string, args: string[], opts: { quiet?: RegExp; cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const noise = opts.quiet;
      const shown = noise ? err.split('\n').filter((l) => !noise.test(l)).join('\n').trim() : err.trim();
      if (code === 0) {
        if (shown) process.stderr.write(`${shown}\n`);
        resolve(out);
      } else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${out}${shown}`));
    });
  });
}

/**
 * Writes the SEA preparation blob for `main` with `node`, which must be a node of the target's
 * version (see BLOB_BUILDERS in targets.ts): the blob layout differs between releases.
 */
export async function makeBlob(node: string, main: string, blob: string, useCodeCache: boolean): Promise<void> {
  const config = `${blob}.json`;
  // `main` by its base name, from its directory: the blob records the path, and the build
  // machine's directories have no business in the executable (nor in its reproducibility).
  writeFileSync(
    config,
    // execArgv: the launcher's V8 flags (Node 24.0.0, the darwin/arm64 target's, has no such field and runs without them).
    JSON.stringify({ main: basename(main), output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache, execArgv: (await buildScript()).V8_FLAGS }, null, 2),
  );
  await run(node, ['--experimental-sea-config', config], { quiet: /^Wrote single executable preparation blob/, cwd: dirname(main) });
}

/** The rcodesign binary: $RCODESIGN, then the one `make tools-rcodesign` builds, then PATH. */
export function findRcodesign(): string | undefined {
  const candidates = [
    process.env.RCODESIGN,
    join(cacheRoot(), `rcodesign-${RCODESIGN_VERSION}`, 'bin', 'rcodesign'),
    join(homedir(), '.cargo', 'bin', 'rcodesign'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'rcodesign'))) return join(dir, 'rcodesign');
  return undefined;
}

export interface SeaResult {
  binary: string;
  codeCache: boolean;
  /** darwin only: 'adhoc' when re-signed, 'unsigned' when rcodesign was missing. */
  signature?: 'adhoc' | 'unsigned';
}

/**
 * Removes the Authenticode signature of a PE file in place (what `signtool remove /s` does): the
 * certificate table at the end of the file, and the data directory entry that points at it.
 * Injection changes the file, so the signature could only be invalid — and postject moves the
 * resource section to where the table was, leaving the entry pointing into the resources.
 */
export function stripAuthenticode(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    const head = Buffer.alloc(4096);
    readSync(fd, head, 0, head.length, 0);
    const pe = head.readUInt32LE(0x3c);
    if (head.readUInt32LE(pe) !== 0x00004550) throw new Error(`${file} is not a PE file`);
    const optional = pe + 24;
    const dataDirs = optional + (head.readUInt16LE(optional) === 0x20b ? 112 : 96);
    const entry = dataDirs + 4 * 8; // IMAGE_DIRECTORY_ENTRY_SECURITY
    const offset = head.readUInt32LE(entry);
    const size = head.readUInt32LE(entry + 4);
    if (size === 0) return;
    writeSync(fd, Buffer.alloc(8), 0, 8, entry);
    if (offset + size === statSync(file).size) ftruncateSync(fd, offset);
  } finally {
    closeSync(fd);
  }
}

/** Copies the target's node binary to `out` and injects `blob` into it; re-signs macOS binaries. */
export async function injectBlob(t: Target, nodeBinary: string, blob: string, out: string): Promise<SeaResult> {
  copyFileSync(nodeBinary, out);
  chmodSync(out, 0o755);
  if (t.os === 'windows') stripAuthenticode(out);
  const postject = join(repoRoot, 'node_modules', 'postject', 'dist', 'cli.js');
  const args = [postject, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE];
  if (t.os === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
  // LIEF (inside postject) warns about ELF note names it does not know; the result is fine.
  await run(process.execPath, args, { quiet: /Can't find string offset for section name|Start injection|Injection done/ });
  const result: SeaResult = { binary: out, codeCache: false };
  if (t.os === 'darwin') {
    // Injection breaks the Node.js Foundation's signature, and arm64 macOS refuses to run a binary
    // without a valid one. An ad hoc signature (what `codesign --sign -` makes) is enough to run.
    const rcodesign = findRcodesign();
    if (rcodesign) {
      await run(rcodesign, ['sign', out], { quiet: /^\s*$|^ *(signing|writing|adding|setting|inferring|parsing|using|binary|no|code|total|Mach-O|overwriting|resigning|preserving|activating|will|copying|processing)/i });
      result.signature = 'adhoc';
    } else {
      result.signature = 'unsigned';
    }
  }
  return result;
}
