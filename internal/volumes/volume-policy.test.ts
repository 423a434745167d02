// Velero's volume policies against the examples of its documentation (resource-filtering.md, v1.18)
// and the rules of its decoder and validator (internal/resourcepolicies).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { parseVolumePolicies, type VolumeFacts } from './volume-policy.ts';

const WHERE = 'ConfigMap velero/policies';

/** The documented template, without its includeExcludePolicy (refused: see below). */
const TEMPLATE = `
version: v1
volumePolicies:
- conditions:
    capacity: "10,100Gi"
    csi:
      driver: ebs.csi.aws.com
    storageClass:
      - gp2
      - standard
    pvcPhase:
      - Pending
  action:
    type: skip
- conditions:
    capacity: "0,100Gi"
    nfs:
      server: 192.168.200.90
      path: /mnt/data
  action:
    type: skip
- conditions:
    nfs:
      server: 192.168.200.90
  action:
    type: fs-backup
- conditions:
    nfs: {}
  action:
    type: skip
- conditions:
    csi: {}
  action:
    type: snapshot
- conditions:
    volumeTypes:
      - emptyDir
      - downwardAPI
      - configmap
      - cinder
  action:
    type: skip
`;

const pv = (spec: Record<string, unknown>, storage = '50Gi', storageClassName = 'gp2'): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { capacity: { storage }, storageClassName, ...spec },
});
const claim = (phase = 'Bound', labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop', ...(labels ? { labels } : {}) }, status: { phase },
});
const action = (yaml: string, facts: VolumeFacts) => parseVolumePolicies(yaml, WHERE).actionFor(facts)?.type;

test('the documented template: the first policy whose every condition matches decides', () => {
  const ebs = { csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-1' } };
  assert.is(action(TEMPLATE, { pv: pv(ebs), claim: claim('Pending') }), 'skip');
  // Bound, not Pending: the first policy fails on pvcPhase; "csi: {}" takes any CSI volume.
  assert.is(action(TEMPLATE, { pv: pv(ebs), claim: claim('Bound') }), 'snapshot');
  // Another class, or above 100Gi: the first policy fails too.
  assert.is(action(TEMPLATE, { pv: pv(ebs, '50Gi', 'io2'), claim: claim('Pending') }), 'snapshot');
  assert.is(action(TEMPLATE, { pv: pv(ebs, '101Gi'), claim: claim('Pending') }), 'snapshot');
  const nfs = { nfs: { server: '192.168.200.90', path: '/mnt/data' } };
  assert.is(action(TEMPLATE, { pv: pv(nfs, '5Gi') }), 'skip');
  // Above 100Gi: the server-only policy below it.
  assert.is(action(TEMPLATE, { pv: pv(nfs, '200Gi') }), 'fs-backup');
  assert.is(action(TEMPLATE, { pv: pv({ nfs: { server: '10.0.0.1', path: '/x' } }) }), 'skip');
  // Pod volumes: by their source and type; no capacity, no class.
  assert.is(action(TEMPLATE, { podVolume: { name: 'scratch', emptyDir: {} } }), 'skip');
  assert.is(action(TEMPLATE, { podVolume: { name: 'inline', csi: { driver: 'secrets-store.csi.k8s.io' } } }), 'snapshot');
  assert.is(action(TEMPLATE, { podVolume: { name: 'share', nfs: { server: '192.168.200.90', path: '/mnt/data' } } }), 'skip');
  assert.is(action(TEMPLATE, { podVolume: { name: 'host', hostPath: { path: '/var/log' } } }), undefined);
  assert.is(action(TEMPLATE, { pv: pv({ hostPath: { path: '/data' } }) }), undefined);
});

test('capacity: "0,5Gi" and ",5Gi" up to 5Gi, "5Gi," from 5Gi, both ends included; a pod volume has no capacity', () => {
  const at = (capacity: string, storage: string) => action(`version: v1\nvolumePolicies:\n- conditions: { capacity: "${capacity}" }\n  action: { type: skip }\n`, { pv: pv({ csi: { driver: 'd' } }, storage) });
  for (const range of ['0,5Gi', ',5Gi', '0Gi,5Gi']) {
    assert.is(at(range, '5Gi'), 'skip', range);
    assert.is(at(range, '5369709568'), undefined, range); // 5Gi + 1 byte
  }
  assert.is(at('5Gi,', '5Gi'), 'skip');
  assert.is(at('5Gi,', '4Gi'), undefined);
  assert.is(at('5Gi,', '50Ti'), 'skip');
  assert.is(at('10Gi,100Gi', '10Gi'), 'skip');
  assert.is(at('10Gi,100Gi', '100Gi'), 'skip');
  assert.is(at('10Gi,100Gi', '9Gi'), undefined);
  assert.is(at('1G,2G', '1500M'), 'skip');
  const pod = { podVolume: { name: 'scratch', emptyDir: {} } };
  assert.is(action('version: v1\nvolumePolicies:\n- conditions: { capacity: ",5Gi" }\n  action: { type: skip }\n', pod), 'skip');
  assert.is(action('version: v1\nvolumePolicies:\n- conditions: { capacity: "5Gi," }\n  action: { type: skip }\n', pod), undefined);
});

test('pvcLabels: every listed label on the claim, extra labels allowed; pvcPhase: any listed phase', () => {
  const labels = (want: string) => `version: v1\nvolumePolicies:\n- conditions:\n    pvcLabels: ${want}\n  action:\n    type: snapshot\n`;
  const prod = { environment: 'production', team: 'backend' };
  assert.is(action(labels('{ environment: production }'), { pv: pv({}), claim: claim('Bound', prod) }), 'snapshot');
  assert.is(action(labels('{ environment: production, app: frontend }'), { pv: pv({}), claim: claim('Bound', prod) }), undefined);
  assert.is(action(labels('{ environment: production }'), { pv: pv({}), claim: claim('Bound') }), undefined);
  assert.is(action(labels('{ environment: production }'), { podVolume: { name: 'scratch', emptyDir: {} } }), undefined);
  const phases = 'version: v1\nvolumePolicies:\n- conditions:\n    pvcPhase: [Pending, Lost]\n  action:\n    type: skip\n';
  // An unbound claim is matched by itself: no PV, so no class and no capacity.
  assert.is(action(phases, { claim: claim('Pending') }), 'skip');
  assert.is(action(phases, { claim: claim('Lost') }), 'skip');
  assert.is(action(phases, { pv: pv({}), claim: claim('Bound') }), undefined);
  assert.is(action(phases, { podVolume: { name: 'scratch', emptyDir: {} } }), undefined);
  const classed = 'version: v1\nvolumePolicies:\n- conditions:\n    pvcPhase: [Pending]\n    storageClass: [gp2]\n  action:\n    type: skip\n';
  assert.is(action(classed, { claim: claim('Pending') }), undefined);
});

test('csi: driver, then the listed volume attributes; storageClass is the PV\'s; volumeTypes by the PV\'s or volume\'s source', () => {
  const yaml = 'version: v1\nvolumePolicies:\n- conditions:\n    csi: { driver: aws.efs.csi.driver, volumeAttributes: { fsType: nfs4 } }\n  action:\n    type: fs-backup\n';
  assert.is(action(yaml, { pv: pv({ csi: { driver: 'aws.efs.csi.driver', volumeAttributes: { fsType: 'nfs4', other: 'x' } } }) }), 'fs-backup');
  assert.is(action(yaml, { pv: pv({ csi: { driver: 'aws.efs.csi.driver', volumeAttributes: { fsType: 'ext4' } } }) }), undefined);
  assert.is(action(yaml, { pv: pv({ csi: { driver: 'aws.efs.csi.driver' } }) }), undefined);
  assert.is(action(yaml, { pv: pv({ csi: { driver: 'ebs.csi.aws.com', volumeAttributes: { fsType: 'nfs4' } } }) }), undefined);
  const classes = 'version: v1\nvolumePolicies:\n- conditions: { storageClass: [gp2, ebs-sc] }\n  action: { type: skip }\n';
  assert.is(action(classes, { pv: pv({}, '1Gi', 'ebs-sc') }), 'skip');
  assert.is(action(classes, { pv: pv({}, '1Gi', 'standard') }), undefined);
  assert.is(action(classes, { podVolume: { name: 'scratch', emptyDir: {} } }), undefined);
  const types = 'version: v1\nvolumePolicies:\n- conditions: { volumeTypes: [local, storageOS, awsElasticBlockStore] }\n  action: { type: skip }\n';
  assert.is(action(types, { pv: pv({ local: { path: '/mnt/disk' } }) }), 'skip');
  assert.is(action(types, { pv: pv({ storageos: { volumeName: 'v' } }) }), 'skip');
  assert.is(action(types, { pv: pv({ awsElasticBlockStore: { volumeID: 'vol-1' } }) }), 'skip');
  assert.is(action(types, { pv: pv({ csi: { driver: 'ebs.csi.aws.com' } }) }), undefined);
  // No conditions at all: every volume.
  assert.is(action('version: v1\nvolumePolicies:\n- action: { type: custom, parameters: { driver: x } }\n', { podVolume: { name: 'v', emptyDir: {} } }), 'custom');
  assert.is(action('version: v1\n', { pv: pv({}) }), undefined);
});

test('invalid policies: one line naming the ConfigMap and the field', () => {
  const refused = (yaml: string, why: RegExp) =>
    assert.throws(() => parseVolumePolicies(yaml, WHERE), (e: Error) => e.message.startsWith(`invalid resource policies in ${WHERE}: `) && why.test(e.message) && !e.message.includes('\n'));
  refused('version: v2\nvolumePolicies: []\n', /incompatible version number "v2": the supported version is v1/);
  refused('volumePolicies: []\n', /incompatible version number ""/);
  refused('version: v1\nvolumePolicies:\n- conditions: { capacity: "5Gi" }\n  action: { type: skip }\n', /volumePolicies\[0\]\.conditions\.capacity: wrong format of capacity "5Gi"/);
  refused('version: v1\nvolumePolicies:\n- conditions: { capacity: "10Gi,5Gi" }\n  action: { type: skip }\n', /capacity: illegal values for capacity "10Gi,5Gi"/);
  refused('version: v1\nvolumePolicies:\n- conditions: { capacity: "ten,5Gi" }\n  action: { type: skip }\n', /not a quantity/);
  refused('version: v1\nvolumePolicies:\n- conditions: {}\n  action: { type: delete }\n', /volumePolicies\[0\]\.action\.type: invalid action type "delete"/);
  refused('version: v1\nvolumePolicies:\n- conditions: {}\n  action: {}\n', /invalid action type ""/);
  refused('version: v1\nvolumePolicies:\n- action: { type: skip }\n- conditions: { storageClasses: [gp2] }\n  action: { type: skip }\n', /volumePolicies\[1\]\.conditions\.storageClasses: unknown field/);
  refused('version: v1\nvolumePolicy: []\n', /^[^:]+: volumePolicy: unknown field/);
  refused('version: v1\nvolumePolicies:\n- conditions: { pvcLabels: [app] }\n  action: { type: skip }\n', /pvcLabels must be a map of string to string/);
  refused('version: v1\nvolumePolicies:\n- conditions: { storageClass: gp2 }\n  action: { type: skip }\n', /conditions\.storageClass: expected a list, got string "gp2"/);
  refused('version: v1\nvolumePolicies:\n- conditions: { csi: { volumeAttributes: { a: b } } }\n  action: { type: skip }\n', /csi driver should not be empty when filtering by volume attributes/);
  refused('version: v1\nvolumePolicies: [\n', /not YAML/);
  refused('version: v1\nincludeExcludePolicy:\n  excludedNamespaceScopedResources: [configmap]\n', /includeExcludePolicy is not supported/);
});

test.run();
