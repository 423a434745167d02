// After CRDs are created, custom resources can only be created once the API server serves them:
// wait for each CRD's Established condition (Velero does the same), then re-read discovery until
// every new resource is listed (discovery lags the condition by a moment).
import type { BackupLog } from '../backup/backup-log.ts';
import { discoverResources, type DiscoveryResult } from '../kube/discovery.ts';
import type { KubeRequester } from '../kube/http-client.ts';
import { nameSegment } from '../kube/names.ts';

interface Crd {
  status?: { conditions?: { type: string; status: string }[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForCrdsServed(client: KubeRequester, names: string[], log: BackupLog, timeoutMs = 60_000): Promise<DiscoveryResult> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await client.getJson<Crd>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${nameSegment(name)}`).catch(() => undefined);
      if (crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) {
        log.warn('CRD not established in time', { crd: name });
        break;
      }
      await sleep(200);
    }
  }
  // A CRD's name is `<plural>.<group>`: the group-resource discovery will list.
  for (;;) {
    const discovery = await discoverResources(client);
    const served = new Set(discovery.resources.map((r) => r.groupResource));
    const missing = names.filter((n) => !served.has(n));
    if (missing.length === 0 || Date.now() > deadline) {
      if (missing.length) log.warn('custom resources not served in time', { crds: missing.join(',') });
      return discovery;
    }
    await sleep(250);
  }
}
