// Seeds the benchmark cluster: COUNT objects, half ConfigMaps half Secrets of ~1 KiB, spread over
// NAMESPACES namespaces named bench-000…, created through the API with bounded parallelism.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export async function seedObjects(kubeconfig: string, count: number, namespaces: number, parallel = 32): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const names = Array.from({ length: namespaces }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
  await Promise.all(names.map((name) => core.createNamespace({ body: { metadata: { name } } })));
  const payload = () => randomBytes(512).toString('hex'); // 1 KiB of text
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const namespace = names[i % namespaces]!;
      const metadata = { name: `obj-${i}`, labels: { bench: 'backup' } };
      if (i % 2 === 0) await core.createNamespacedConfigMap({ namespace, body: { metadata, data: { payload: payload() } } });
      else await core.createNamespacedSecret({ namespace, body: { metadata, stringData: { payload: payload() } } });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return names;
}
