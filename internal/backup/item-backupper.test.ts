import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NamespaceFilter } from '../collections/namespace-filter.ts';
import type { ResourceFilter } from '../collections/resource-filter.ts';
import type { KubeRequester } from '../kube/http-client.ts';
import { listObjects } from '../kube/list.ts';
import type { BackupItemAction } from './actions/index.ts';
import { BackupLog } from './backup-log.ts';
import type { ApiResource, ClusterSource } from './cluster-source.ts';
import { MemorySink } from './fixture-cluster.test-helpers.ts';
import { ItemBackupper } from './item-backupper.ts';
import { ResourceList } from './resource-list.ts';
import { ResultsCollector } from './results.ts';

const resource = (name: string, kind: string): ApiResource => ({ group: '', groupVersion: 'v1', version: 'v1', resource: name, groupResource: name, kind, namespaced: true }) as ApiResource;
const configmaps = resource('configmaps', 'ConfigMap');
const serviceaccounts = resource('serviceaccounts', 'ServiceAccount');

/** A LIST answered with text, so the listed items carry the server's JSON. */
function serverOf(body: object): KubeRequester {
  const text = JSON.stringify(body).replace('"n":1', '"n":1.50');
  return { getJson: async <T>() => JSON.parse(text) as T, getJsonBytes: async () => Buffer.from(text) };
}

test("an item no action touched is written as the server sent it; one an action changed, as changed", async () => {
  const marker: BackupItemAction = {
    name: 'marker',
    appliesTo: ['serviceaccounts'],
    async execute(item) {
      item.metadata.labels = { marked: 'yes' };
      return { item, additionalItems: [] };
    },
  };
  const sink = new MemorySink();
  const backupper = new ItemBackupper({
    backupName: 'b',
    source: {} as ClusterSource,
    sink,
    namespaces: { shouldInclude: () => true } as unknown as NamespaceFilter,
    resources: { shouldInclude: () => true, shouldExclude: () => false } as unknown as ResourceFilter,
    resourceFor: () => undefined,
    actions: [marker],
    log: new BackupLog('b'),
    results: new ResultsCollector(),
    resourceList: new ResourceList(),
  });
  for (const r of [configmaps, serviceaccounts]) {
    const client = serverOf({ items: [{ metadata: { name: 'x', namespace: 'shop' }, data: { n: 1 } }] });
    for await (const item of listObjects(client, r)) await backupper.backupItem(item, r);
  }
  assert.equal(
    sink.items.map((i) => i.json),
    ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"shop"},"data":{"n":1.50}}', '{"metadata":{"name":"x","namespace":"shop","labels":{"marked":"yes"}},"data":{"n":1.5},"apiVersion":"v1","kind":"ServiceAccount"}'],
  );
});

test.run();
