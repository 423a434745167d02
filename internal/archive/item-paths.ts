// Where an item lives in a Velero backup tarball (Velero's pkg/archive/filesystem.go layout):
//   resources/<resource[.group]>/[<versionDir>/](namespaces/<ns>|cluster)/<name>.json
// The preferred version is written twice: without a version folder (for old readers) and under
// `<version>-preferredversion`; other versions only under `<version>`.

/** `metadata/version` of the archives we write; readers also accept Velero's older `1` and `1.0.0`. */
export const ARCHIVE_FORMAT_VERSION = '1.1.0';
export const READABLE_FORMAT_VERSIONS = ['1', '1.0.0', '1.1.0'] as const;
export const VERSION_FILE = 'metadata/version';

export interface ArchiveItemCoordinates {
  /** `deployments.apps`, `configmaps` */
  groupResource: string;
  /** the API version the item was read at: `v1` */
  version: string;
  /** true when that is the resource's preferred version: the item is then written twice. */
  preferred: boolean;
  namespace?: string;
  name: string;
}

/** `resources/<gr>/<versionDir>/<namespaces/ns|cluster>/<name>.json`; versionDir '' means none. */
export function itemPath(c: ArchiveItemCoordinates, versionDir: string): string {
  // Two per item written: a template, not an array joined (a backup's allocations are per item).
  const scope = c.namespace ? `namespaces/${c.namespace}` : 'cluster';
  return versionDir ? `resources/${c.groupResource}/${versionDir}/${scope}/${c.name}.json` : `resources/${c.groupResource}/${scope}/${c.name}.json`;
}

export function itemPaths(c: ArchiveItemCoordinates): string[] {
  return c.preferred ? [itemPath(c, ''), itemPath(c, `${c.version}-preferredversion`)] : [itemPath(c, c.version)];
}

export interface ParsedItemPath {
  groupResource: string;
  /** '' for the plain copy, `v1-preferredversion`, or a plain version such as `v2`. */
  versionDir: string;
  namespace?: string;
  name: string;
}

/** The inverse of itemPath; undefined for entries that are not items (e.g. metadata/version). */
export function parseItemPath(path: string): ParsedItemPath | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'resources' || parts.length < 4 || !parts[parts.length - 1]!.endsWith('.json')) return undefined;
  const groupResource = parts[1]!;
  let at = 2;
  let versionDir = '';
  if (parts[at] !== 'namespaces' && parts[at] !== 'cluster') versionDir = parts[at++]!;
  const name = parts[parts.length - 1]!.slice(0, -'.json'.length);
  if (parts[at] === 'cluster' && parts.length === at + 2) return { groupResource, versionDir, name };
  if (parts[at] === 'namespaces' && parts.length === at + 3) return { groupResource, versionDir, namespace: parts[at + 1]!, name };
  return undefined;
}

/** `deployments.apps` → { resource: 'deployments', group: 'apps' }; core resources have no group. */
export function splitGroupResource(groupResource: string): { resource: string; group: string } {
  const dot = groupResource.indexOf('.');
  return dot < 0 ? { resource: groupResource, group: '' } : { resource: groupResource.slice(0, dot), group: groupResource.slice(dot + 1) };
}
