// Builds the real components the local provider runs (Kubernetes control plane, etcd, MinIO) with
// `go build` from the Go module proxy, at the versions pinned in hack/tools/*/go.mod, once: each
// binary is cached in ~/.cache/kubectl-velero/<component>-<version>/ and later runs build nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { componentCacheDir } from './paths.ts';
import { cacheVersion, COMPONENTS, type ComponentName, type GoComponent, pinnedVersion, toolsDir } from './versions.ts';

export function binaryPath(component: GoComponent): string {
  return join(componentCacheDir(component.name, cacheVersion(component)), component.name);
}

/** Stamps versions the way the projects' own release builds do, so `kubectl version` says v1.35.x. */
export function ldflags(component: GoComponent, version: string): string {
  const flags = ['-s', '-w'];
  if (component.module === 'k8s.io/kubernetes') {
    const [major, minor] = version.replace(/^v/, '').split('.');
    const pkg = 'k8s.io/component-base/version';
    flags.push(`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`);
  }
  if (component.module === 'github.com/vmware-tanzu/velero') {
    // `velero version` and the server's startup line say which Velero this is.
    flags.push(`-X github.com/vmware-tanzu/velero/pkg/buildinfo.Version=${version}`, '-X github.com/vmware-tanzu/velero/pkg/buildinfo.GitTreeState=clean');
  }
  if (component.module === 'github.com/minio/minio') {
    // Pseudo-version v0.0.0-YYYYMMDDhhmmss-<commit>: MinIO names releases by that UTC time.
    const m = /-(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)-([0-9a-f]{12})$/.exec(version);
    if (m) {
      const [, y, mo, d, h, mi, s, commit] = m;
      const pkg = 'github.com/minio/minio/cmd';
      flags.push(
        `-X ${pkg}.Version=${y}-${mo}-${d}T${h}:${mi}:${s}Z`,
        `-X ${pkg}.ReleaseTag=RELEASE.${y}-${mo}-${d}T${h}-${mi}-${s}Z`,
        `-X ${pkg}.CommitID=${commit}`,
        `-X ${pkg}.ShortCommitID=${commit}`,
      );
    }
  }
  return flags.join(' ');
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CGO_ENABLED: '0' } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

async function buildOne(component: GoComponent): Promise<string> {
  const target = binaryPath(component);
  if (existsSync(target)) return target;
  const version = pinnedVersion(component);
  const dir = componentCacheDir(component.name, cacheVersion(component));
  mkdirSync(dir, { recursive: true });
  // Build into a temp dir and rename: a build cut short never leaves a half-written binary that a
  // later run would trust.
  const tmp = mkdtempSync(join(dir, '.build-'));
  try {
    process.stderr.write(`building ${component.name} ${version} with go build (first run only)…\n`);
    const started = Date.now();
    await run('go', ['build', '-trimpath', '-o', join(tmp, component.name), '-ldflags', ldflags(component, version), component.pkg], toolsDir(component));
    renameSync(join(tmp, component.name), target);
    process.stderr.write(`built ${component.name} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return target;
}

/** Builds what is missing, one at a time (go build already uses every core), and returns the paths. */
export async function ensureBinaries(names: ComponentName[] = Object.keys(COMPONENTS) as ComponentName[]): Promise<Record<ComponentName, string>> {
  const paths = {} as Record<ComponentName, string>;
  for (const name of names) paths[name] = await buildOne(COMPONENTS[name]);
  return paths;
}
