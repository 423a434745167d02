// Discovery of every served resource a backup can collect, at its preferred version, with the same
// rules as Velero's discovery helper: only resources that support list, create, get and delete;
// no subresources; a resource served only by a non-preferred version is kept at that version;
// the legacy `extensions` group sorts last so apps/networking win for cohabiting resources.
import type { KubeRequester } from './http-client.ts';

export interface ApiResource {
  group: string;
  version: string;
  /** `v1`, `apps/v1` */
  groupVersion: string;
  /** plural name: `deployments` */
  resource: string;
  /** `deployments.apps`; core resources have no suffix: `configmaps` */
  groupResource: string;
  kind: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  verbs: string[];
}

export interface DiscoveryResult {
  resources: ApiResource[];
  /** Groups whose versions could not be read (e.g. an aggregated API server that is down). */
  failedGroups: { groupVersion: string; message: string }[];
  serverVersion?: { gitVersion: string; major: string; minor: string };
}

interface RawResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
}
interface RawResourceList {
  groupVersion: string;
  resources: RawResource[];
}
interface RawGroup {
  name: string;
  versions: { groupVersion: string; version: string }[];
  preferredVersion?: { groupVersion: string; version: string };
}

const REQUIRED_VERBS = ['list', 'create', 'get', 'delete'];

export function groupResourceName(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export async function discoverResources(client: KubeRequester, concurrency = 8): Promise<DiscoveryResult> {
  const failedGroups: DiscoveryResult['failedGroups'] = [];
  const core = await client.getJson<{ versions: string[] }>('/api');
  const groups = (await client.getJson<{ groups: RawGroup[] }>('/apis')).groups ?? [];
  const ordered: RawGroup[] = [
    { name: '', versions: core.versions.map((v) => ({ groupVersion: v, version: v })), preferredVersion: { groupVersion: 'v1', version: 'v1' } },
    ...groups.filter((g) => g.name !== 'extensions'),
    ...groups.filter((g) => g.name === 'extensions'),
  ];
  const lists = new Map<string, RawResourceList>();
  const versions = ordered.flatMap((g) => g.versions.map((v) => v.groupVersion));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, versions.length) }, async () => {
      while (next < versions.length) {
        const gv = versions[next++]!;
        const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
        try {
          lists.set(gv, await client.getJson<RawResourceList>(path));
        } catch (error) {
          failedGroups.push({ groupVersion: gv, message: (error as Error).message });
        }
      }
    }),
  );
  const resources: ApiResource[] = [];
  for (const group of ordered) resources.push(...preferredResourcesOf(group, lists));
  let serverVersion: DiscoveryResult['serverVersion'];
  try {
    serverVersion = await client.getJson('/version');
  } catch {
    // /version is informational only
  }
  return { resources, failedGroups, serverVersion };
}

/** One entry per resource of `group`: its preferred version when served there, else the first version serving it. */
export function preferredResourcesOf(group: RawGroup, lists: Map<string, RawResourceList>): ApiResource[] {
  const preferred = group.preferredVersion?.version ?? group.versions[0]?.version;
  const byResource = new Map<string, ApiResource>();
  const versionsInOrder = [...group.versions].sort((a, b) => Number(b.version === preferred) - Number(a.version === preferred));
  for (const { groupVersion, version } of versionsInOrder) {
    for (const r of lists.get(groupVersion)?.resources ?? []) {
      if (r.name.includes('/') || byResource.has(r.name)) continue;
      const verbs = r.verbs ?? [];
      if (!REQUIRED_VERBS.every((v) => verbs.includes(v))) continue;
      byResource.set(r.name, {
        group: group.name,
        version,
        groupVersion,
        resource: r.name,
        groupResource: groupResourceName(group.name, r.name),
        kind: r.kind,
        singular: r.singularName || r.kind.toLowerCase(),
        shortNames: r.shortNames ?? [],
        namespaced: r.namespaced,
        verbs,
      });
    }
  }
  return [...byResource.values()];
}
