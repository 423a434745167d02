// Build information. `make build` (hack/build.mjs) replaces the two globals through esbuild's
// `define`; when the sources run directly under tsx they fall back to "dev" / "unknown".
declare const __KUBECTL_VELERO_VERSION__: string | undefined;
declare const __KUBECTL_VELERO_COMMIT__: string | undefined;

export interface VersionInfo {
  version: string;
  gitCommit: string;
  nodeVersion: string;
  platform: string;
}

export function versionInfo(): VersionInfo {
  return {
    version: typeof __KUBECTL_VELERO_VERSION__ === 'string' ? __KUBECTL_VELERO_VERSION__ : 'dev',
    gitCommit: typeof __KUBECTL_VELERO_COMMIT__ === 'string' ? __KUBECTL_VELERO_COMMIT__ : 'unknown',
    nodeVersion: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
}
