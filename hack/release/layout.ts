// Where `make dist` puts things, shared with the Krew install test (e2e/krew-install.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths.ts';
import type { Target } from './targets.ts';

export const distDir = join(repoRoot, 'dist');
export const manifestPath = join(repoRoot, 'krew', 'velero.yaml');
export const templatePath = join(repoRoot, 'krew', 'velero.yaml.tmpl');

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export function archiveName(version: string, t: Pick<Target, 'os' | 'arch'>): string {
  return `kubectl-velero_${version}_${t.os}_${t.arch}${t.os === 'windows' ? '.zip' : '.tar.gz'}`;
}

/** The plugin's OCI image (an OCI layout in a tar), attached to a release beside the archives. */
export function imageArchiveName(version: string, arch: string): string {
  return `kubectl-velero_${version}_linux_${arch}.oci.tar`;
}

/** dist/SHA256SUMS as a map from archive name to its sha256 (empty when there is none). */
export function readSums(file = join(distDir, 'SHA256SUMS')): Map<string, string> {
  const sums = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return sums;
  }
  for (const l of text.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(l);
    if (m?.[1] && m[2]) sums.set(m[2], m[1]);
  }
  return sums;
}
