// Seeds the benchmark cluster: COUNT objects, half ConfigMaps half Secrets of ~1 KiB, spread over
// NAMESPACES namespaces named bench-000…, created through the API with bounded parallelism.
// `from` grows an earlier seeding: objects from.objects… go into namespaces from.namespaces…, so a
// benchmark can measure 10,000 objects in 100 namespaces and then 100,000 in 1,000 on one cluster,
// each namespace holding the same number of objects.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export interface SeedOptions {
  parallel?: number;
  /** What an earlier call already made. */
  from?: { objects: number; namespaces: number };
  /** Digits of the namespace number (bench-000 for 3); the default fits `namespaces`. */
  width?: number;
}

/** Digits of the namespace numbers for `namespaces` of them: at least 3 (bench-000). */
export function namespaceWidth(namespaces: number): number {
  return Math.max(3, String(namespaces - 1).length);
}

export function benchNamespace(index: number, width: number): string {
  return `bench-${String(index).padStart(width, '0')}`;
}

export async function seedObjects(kubeconfig: string, count: number, namespaces: number, options: SeedOptions = {}): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const from = options.from ?? { objects: 0, namespaces: 0 };
  const width = options.width ?? namespaceWidth(namespaces);
  const names = Array.from({ length: namespaces }, (_, i) => benchNamespace(i, width));
  const fresh = names.slice(from.namespaces);
  await Promise.all(fresh.map((name) => core.createNamespace({ body: { metadata: { name } } })));
  const payload = () => randomBytes(512).toString('hex'); // 1 KiB of text
  // Objects go round-robin over the new namespaces only, so the old ones keep what they hold.
  const perNew = fresh.length;
  if (!perNew && count > from.objects) throw new Error('seedObjects: more objects asked for but no new namespaces to put them in');
  let next = from.objects;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const namespace = fresh[(i - from.objects) % perNew]!;
      const metadata = { name: `obj-${i}`, labels: { bench: 'backup' } };
      if (i % 2 === 0) await core.createNamespacedConfigMap({ namespace, body: { metadata, data: { payload: payload() } } });
      else await core.createNamespacedSecret({ namespace, body: { metadata, stringData: { payload: payload() } } });
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 32 }, worker));
  return names;
}
