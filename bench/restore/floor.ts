// The restore benchmarks' floor: the seeded objects (as a restore would send them: without
// server-populated metadata) created by N concurrent raw POSTs — what any restore of them must at
// least spend on the API server. Shared by bench-restore and bench-vs-velero.
import { KubeHttpClient } from '../../internal/kube/http-client.ts';
import { loadKubeConfig } from '../../internal/kube/kubeconfig.ts';

export interface FloorObject {
  path: string;
  body: { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: unknown }; [k: string]: unknown };
}

/** The seeded objects (label bench=backup), each aimed at `targetNamespace(its namespace)`. */
export async function readObjects(kubeconfig: string, targetNamespace: (ns: string) => string = (ns) => ns): Promise<FloorObject[]> {
  const client = new KubeHttpClient(await loadKubeConfig({ kubeconfig }));
  const out: FloorObject[] = [];
  try {
    for (const [resource, kind] of [['configmaps', 'ConfigMap'], ['secrets', 'Secret']] as const) {
      let token: string | undefined;
      do {
        const page = await client.getJson<{ items: FloorObject['body'][]; metadata: { continue?: string } }>(`/api/v1/${resource}`, { limit: '500', continue: token, labelSelector: 'bench=backup' });
        for (const item of page.items) {
          const { name, namespace, labels } = item.metadata;
          const { metadata: _m, ...rest } = item;
          const target = targetNamespace(namespace);
          out.push({ path: `/api/v1/namespaces/${target}/${resource}`, body: { ...rest, apiVersion: 'v1', kind, metadata: { name, namespace: target, labels } } });
        }
        token = page.metadata.continue || undefined;
      } while (token);
    }
  } finally {
    client.close();
  }
  return out;
}

/** Seconds to POST every object with `concurrency` requests in flight (their namespaces first, when asked). */
export async function floorSeconds(kubeconfig: string, objects: FloorObject[], concurrency: number, opts: { createNamespaces: boolean }): Promise<number> {
  const client = new KubeHttpClient(await loadKubeConfig({ kubeconfig }), { maxSockets: concurrency });
  const namespaces = [...new Set(objects.map((o) => o.body.metadata.namespace))];
  try {
    const start = process.hrtime.bigint();
    if (opts.createNamespaces) await pool(namespaces, concurrency, (name) => client.sendJson('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    await pool(objects, concurrency, (o) => client.sendJson('POST', o.path, o.body));
    return Number(process.hrtime.bigint() - start) / 1e9;
  } finally {
    client.close();
  }
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}
