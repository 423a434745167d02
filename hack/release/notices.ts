// THIRD_PARTY_LICENSES for the archives: the executable is Node.js plus a bundle of npm packages,
// and each of their licenses asks for its notice to travel with copies.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { repoRoot } from '../harness/paths.ts';

/** The npm packages whose files esbuild put into the bundle, as node_modules directories. */
export function bundledPackages(meta: Metafile): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m?.[1]) dirs.add(m[1]);
  }
  return [...dirs].sort();
}

function licenseText(dir: string): string | undefined {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i.test(f));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : undefined;
}

export function thirdPartyNotices(meta: Metafile, node: { label: string; license: string }): string {
  const parts = [
    'kubectl-velero is distributed under the Apache License 2.0 (see LICENSE). Its executable contains',
    'the third-party software below, under the licenses that follow each name.',
    '',
    `======== ${node.label} ========`,
    '',
    readFileSync(node.license, 'utf8').trim(),
  ];
  for (const rel of bundledPackages(meta)) {
    const dir = join(repoRoot, rel);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; license?: string };
    parts.push('', `======== ${pkg.name}@${pkg.version} (${pkg.license ?? 'see below'}) ========`, '');
    parts.push(licenseText(dir) ?? `License: ${pkg.license ?? 'unknown'} (the package ships no license file).`);
  }
  return `${parts.join('\n')}\n`;
}
