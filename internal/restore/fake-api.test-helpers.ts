// A small in-memory API server behind the KubeWriter interface, for engine tests: discovery
// (including resources of CRDs created during the test), create with AlreadyExists, get, merge
// patch, status writes, dryRun=All. It records every write so tests can check order and concurrency.
import { KubeApiError } from '../kube/errors.ts';
import type { KubeWriter, WriteMethod } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { applyMergePatch, type JsonValue } from './modifiers/json-patch.ts';

interface Res { group: string; version: string; resource: string; kind: string; namespaced: boolean }

const BUILT_IN: Res[] = [
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false },
  { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false },
];

export interface Write { method: WriteMethod; path: string; dryRun: boolean; body: unknown }

export class FakeApi implements KubeWriter {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: Write[] = [];
  resources = [...BUILT_IN];
  inFlight = 0;
  maxInFlight = 0;
  /** Delay of each write, so parallel writes overlap. */
  writeDelayMs = 0;
  /** path → how many more times a POST there answers 404 "could not find the requested resource". */
  notServedYet = new Map<string, number>();
  /** Answers a POST with this error instead (e.g. a Service whose node port is taken: 422). */
  createError?: (path: string, body: KubeObject) => KubeApiError | undefined;
  /** Answers a PATCH with this error instead (e.g. a pod's immutable spec: 422). */
  patchError?: (path: string, body: KubeObject) => KubeApiError | undefined;

  private key(gr: string, ns: string | undefined, name: string): string {
    return `${gr}|${ns ?? ''}|${name}`;
  }

  seed(groupResource: string, obj: KubeObject): void {
    this.objects.set(this.key(groupResource, obj.metadata.namespace, obj.metadata.name), structuredClone(obj));
  }

  get(groupResource: string, ns: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(this.key(groupResource, ns, name));
  }

  async getJson<T>(path: string): Promise<T> {
    if (path === '/api') return { versions: ['v1'] } as T;
    if (path === '/version') return { gitVersion: 'v1.35.4', major: '1', minor: '35' } as T;
    if (path === '/apis') {
      const groups = [...new Set(this.resources.filter((r) => r.group).map((r) => `${r.group}/${r.version}`))];
      return { groups: groups.map((gv) => ({ name: gv.split('/')[0], versions: [{ groupVersion: gv, version: gv.split('/')[1] }], preferredVersion: { groupVersion: gv, version: gv.split('/')[1] } })) } as T;
    }
    const gvList = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (gvList) {
      const [group, version] = gvList[1] ? ['', 'v1'] : [gvList[2]!, gvList[3]!];
      return { groupVersion: group ? `${group}/${version}` : version, resources: this.resources.filter((r) => r.group === group && r.version === version).map((r) => ({ name: r.resource, kind: r.kind, namespaced: r.namespaced, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'] })) } as T;
    }
    const p = this.parse(path);
    const found = this.objects.get(this.key(p.gr, p.ns, p.name!));
    if (!found) throw new KubeApiError(404, 'NotFound', path, `${p.gr} "${p.name}" not found`);
    return structuredClone(found) as T;
  }

  async sendJson<T>(method: WriteMethod, path: string, body?: unknown, query: Record<string, string | undefined> = {}): Promise<T> {
    const dryRun = query.dryRun === 'All';
    this.writes.push({ method, path, dryRun, body: structuredClone(body) });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.writeDelayMs) await new Promise((r) => setTimeout(r, this.writeDelayMs));
      return this.write<T>(method, path, body as KubeObject, dryRun);
    } finally {
      this.inFlight--;
    }
  }

  private write<T>(method: WriteMethod, path: string, body: KubeObject, dryRun: boolean): T {
    const p = this.parse(path);
    if (method === 'POST') {
      const left = this.notServedYet.get(path) ?? 0;
      if (left > 0) {
        this.notServedYet.set(path, left - 1);
        throw new KubeApiError(404, 'NotFound', path, 'the server could not find the requested resource');
      }
      const injected = this.createError?.(path, body);
      if (injected) throw injected;
      if (p.ns && !this.objects.has(this.key('namespaces', undefined, p.ns))) throw new KubeApiError(404, 'NotFound', path, `namespaces "${p.ns}" not found`);
      const key = this.key(p.gr, p.ns, body.metadata.name);
      if (this.objects.has(key)) throw new KubeApiError(409, 'AlreadyExists', path, `${p.gr} "${body.metadata.name}" already exists`);
      const created = { ...structuredClone(body), metadata: { ...structuredClone(body.metadata), uid: `uid-${this.objects.size}`, resourceVersion: '1' } };
      if (!dryRun) {
        this.objects.set(key, created);
        if (p.gr === 'customresourcedefinitions.apiextensions.k8s.io') this.serveCrd(body);
      }
      return structuredClone(created) as T;
    }
    const refused = method === 'PATCH' ? this.patchError?.(path, body) : undefined;
    if (refused) throw refused;
    const key = this.key(p.gr, p.ns, p.name!);
    const live = this.objects.get(key);
    if (!live) throw new KubeApiError(404, 'NotFound', path, 'not found');
    const next = method === 'PATCH' ? (applyMergePatch(live as unknown as JsonValue, body as unknown as JsonValue) as unknown as KubeObject) : p.sub === 'status' ? { ...live, status: (body as { status?: unknown }).status } : body;
    if (!dryRun) this.objects.set(key, next);
    return structuredClone(next) as T;
  }

  private serveCrd(crd: KubeObject): void {
    const spec = crd.spec as { group: string; scope: string; names: { plural: string; kind: string }; versions: { name: string }[] };
    for (const v of spec.versions) this.resources.push({ group: spec.group, version: v.name, resource: spec.names.plural, kind: spec.names.kind, namespaced: spec.scope === 'Namespaced' });
    this.objects.set(this.key('customresourcedefinitions.apiextensions.k8s.io', undefined, crd.metadata.name), { ...crd, status: { conditions: [{ type: 'Established', status: 'True' }] } } as KubeObject);
  }

  private parse(path: string): { gr: string; ns?: string; name?: string; sub?: string } {
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/(.*)$/.exec(path);
    if (!m) throw new Error(`fake API: unexpected path ${path}`);
    const group = m[1] ?? '';
    const parts = m[2]!.split('/').map(decodeURIComponent);
    const [ns, rest] = parts[0] === 'namespaces' && parts.length >= 3 ? [parts[1], parts.slice(2)] : [undefined, parts];
    const gr = group ? `${rest[0]}.${group}` : rest[0]!;
    return { gr, ns, name: rest[1], sub: rest[2] };
  }
}
