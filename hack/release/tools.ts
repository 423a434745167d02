// The release tools `make dist` and `make test-dist` use, built once into the build cache:
// Krew and its manifest validator with `go build` at the version hack/tools/krew/go.mod pins
// (~/.cache/kubectl-velero/krew-<version>/), and rcodesign with `cargo install` (make tools-rcodesign).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, repoRoot } from '../harness/paths.ts';
import { RCODESIGN_VERSION } from './sea.ts';

const krewToolsDir = join(repoRoot, 'hack', 'tools', 'krew');

export function krewVersion(): string {
  const m = /^\s*(?:require\s+)?sigs\.k8s\.io\/krew (v\S+)/m.exec(readFileSync(join(krewToolsDir, 'go.mod'), 'utf8'));
  if (!m?.[1]) throw new Error('hack/tools/krew/go.mod does not require sigs.k8s.io/krew');
  return m[1];
}

export interface KrewTools {
  /** Directory holding `kubectl-krew` (so kubectl finds `kubectl krew` with it on PATH). */
  binDir: string;
  krew: string;
  validator: string;
}

export function krewToolPaths(): KrewTools {
  const binDir = join(cacheRoot(), `krew-${krewVersion()}`);
  return { binDir, krew: join(binDir, 'kubectl-krew'), validator: join(binDir, 'validate-krew-manifest') };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * Builds krew and validate-krew-manifest unless cached. They are left unstamped on purpose: an
 * unstamped krew is a "development build", which never phones home for its upgrade check.
 */
export async function ensureKrewTools(): Promise<KrewTools> {
  const tools = krewToolPaths();
  if (existsSync(tools.krew) && existsSync(tools.validator)) return tools;
  mkdirSync(tools.binDir, { recursive: true });
  const tmp = mkdtempSync(join(tools.binDir, '.build-'));
  try {
    process.stderr.write(`building krew ${krewVersion()} and validate-krew-manifest with go build (first run only)…\n`);
    const env = { ...process.env, CGO_ENABLED: '0' };
    for (const [pkg, name] of [
      ['sigs.k8s.io/krew/cmd/krew', 'kubectl-krew'],
      ['sigs.k8s.io/krew/cmd/validate-krew-manifest', 'validate-krew-manifest'],
    ] as const) {
      await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(tmp, name), pkg], krewToolsDir, env);
    }
    renameSync(join(tmp, 'validate-krew-manifest'), tools.validator);
    renameSync(join(tmp, 'kubectl-krew'), tools.krew);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return tools;
}

/** `make tools-rcodesign`: cargo install of apple-codesign's rcodesign into the cache (minutes). */
export async function buildRcodesign(): Promise<string> {
  const root = join(cacheRoot(), `rcodesign-${RCODESIGN_VERSION}`);
  const bin = join(root, 'bin', 'rcodesign');
  if (existsSync(bin)) return bin;
  process.stderr.write(`building rcodesign ${RCODESIGN_VERSION} with cargo install (several minutes, once)…\n`);
  // Without default features: they add App Store Connect notarization and an AWS SDK, not needed to sign.
  await run(
    'cargo',
    ['install', `apple-codesign@${RCODESIGN_VERSION}`, '--locked', '--no-default-features', '--bin', 'rcodesign', '--root', root],
    repoRoot,
  );
  return bin;
}
