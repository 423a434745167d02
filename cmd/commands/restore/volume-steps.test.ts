// The restore step for a Velero-made backup's file-system volumes: an error per volume of each
// restored pod (under its restored namespace), none for other pods, no step without such volumes.
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStore } from '../../../internal/backup/memory-store.test-helpers.ts';
import type { KubeObject } from '../../../internal/kube/list.ts';
import { veleroVolumesStep } from './volume-steps.ts';

const pvb = (pod: string, volume: string) => ({ spec: { pod: { kind: 'Pod', namespace: 'shop', name: pod }, volume, uploaderType: 'kopia' }, status: { phase: 'Completed' } });
const pod = (namespace: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name } });

test('each Velero volume of a restored pod is an error naming the pod where it landed; other pods pass', async () => {
  const store = new MemoryStore();
  store.objects.set('backups/v1/v1-podvolumebackups.json.gz', gzipSync(JSON.stringify([pvb('db-0', 'data'), pvb('db-0', 'wal')])));
  const step = await veleroVolumesStep(store, 'v1');
  assert.ok(step?.created);
  const errors: string[] = [];
  const report = { warn: () => assert.unreachable('no warnings'), error: (m: string) => errors.push(m) };
  await step.created!(pod('shop-copy', 'db-0'), pod('shop', 'db-0'), report);
  await step.created!(pod('shop-copy', 'web-0'), pod('shop', 'web-0'), report);
  assert.equal(errors.map((e) => e.split(':')[0]), ['pod shop-copy/db-0 volume data', 'pod shop-copy/db-0 volume wal']);
});

test('no step for our own backups (the file is [])', async () => {
  const store = new MemoryStore();
  store.objects.set('backups/b1/b1-podvolumebackups.json.gz', gzipSync('[]'));
  assert.is(await veleroVolumesStep(store, 'b1'), undefined);
});

test.run();
