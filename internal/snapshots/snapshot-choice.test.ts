// Velero's ShouldPerformSnapshot for both snapshot kinds: a matched policy first, then the
// file-system opt-ins of the claim's pods, then --snapshot-volumes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { ClaimUsage } from './claim-usage.ts';
import { SnapshotChoice } from './snapshot-choice.ts';

const optedIn: KubeObject = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'shop', annotations: { 'backup.velero.io/backup-volumes': 'data' } },
  spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'logs', persistentVolumeClaim: { claimName: 'logs' } }] },
};
const usage = () => new ClaimUsage(async () => [optedIn], false);
const pv: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-data' }, spec: { claimRef: { namespace: 'shop', name: 'data' } } };
const ref = { namespace: 'shop', name: 'data' };

test('a matched policy decides, whatever the annotations and --snapshot-volumes say', async () => {
  for (const snapshotVolumes of [undefined, false]) {
    const choice = (action: string) => new SnapshotChoice({ snapshotVolumes, usage: usage(), policyAction: async () => action });
    assert.ok(choice('snapshot').possible);
    assert.is(await choice('snapshot').wanted(ref, { pv }), true);
    for (const other of ['skip', 'fs-backup', 'custom']) assert.is(await choice(other).wanted(ref, { pv }), false, other);
  }
});

test('no policy matched: not the claims opted into file-system backup, the rest unless --snapshot-volumes=false', async () => {
  const passed: object[] = [];
  const unmatched = new SnapshotChoice({ usage: usage(), policyAction: async (objects) => (passed.push(objects), undefined) });
  assert.is(await unmatched.wanted(ref, { pv }), false);
  assert.is(await unmatched.wanted({ namespace: 'shop', name: 'logs' }, { pv }), true);
  assert.equal(passed, [{ pv }, { pv }]);
  const off = new SnapshotChoice({ snapshotVolumes: false, usage: usage() });
  assert.not.ok(off.possible);
  assert.is(await off.wanted({ namespace: 'shop', name: 'logs' }, { pv }), false);
  assert.is(await new SnapshotChoice({ usage: usage() }).wanted(undefined, { pv }), true);
});

test.run();
