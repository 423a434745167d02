// Where the harness keeps things: built binaries in a cache keyed by component and version, and
// one state directory per running cluster (removed by `down`).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Root of the build cache; `KUBECTL_VELERO_CACHE` overrides `~/.cache/kubectl-velero`. */
export function cacheRoot(): string {
  return process.env.KUBECTL_VELERO_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-velero');
}

/** `~/.cache/kubectl-velero/<component>-<version>/` — the second run finds the binary here. */
export function componentCacheDir(component: string, version: string): string {
  return join(cacheRoot(), `${component}-${version}`);
}

/** Parent of every cluster's state dir; `KUBECTL_VELERO_CLUSTERS` overrides it. */
export function clustersRoot(): string {
  return process.env.KUBECTL_VELERO_CLUSTERS ?? join(cacheRoot(), 'clusters');
}

export function clusterDir(name: string): string {
  return join(clustersRoot(), name);
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

export function checkClusterName(name: string): string {
  if (!NAME.test(name)) throw new Error(`invalid cluster name "${name}": use lower-case letters, digits and dashes`);
  return name;
}
