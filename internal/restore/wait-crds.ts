// After CRDs are created, custom resources can only be created once the API server serves them:
// wait for each CRD's Established condition (Velero does the same), then the caller refreshes discovery.
import type { BackupLog } from '../backup/backup-log.ts';
import type { KubeRequester } from '../kube/http-client.ts';

interface Crd {
  status?: { conditions?: { type: string; status: string }[] };
}

export async function waitForCrdsEstablished(client: KubeRequester, names: string[], log: BackupLog, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await client.getJson<Crd>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`).catch(() => undefined);
      if (crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) {
        log.warn('CRD not established in time', { crd: name });
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
