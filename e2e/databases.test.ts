// The e2e fixtures' databases on a real node: the PostgreSQL and MariaDB StatefulSets reach Ready,
// rows written through `kubectl exec` survive the pod being deleted and re-created (the data is in
// the hostPath PV), `kubectl logs` works, and deleting the namespace removes the pods and the PVs.
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { expectedChecksum } from '../hack/dbdata-lib/rows.ts';
import { dbdata, eventually, fixture, kubectl } from './fixtures/node-helpers.ts';

const NAME = 'e2e-databases';
const NS = 'dbs';
const DBS = ['postgres', 'mariadb'] as const;
let cluster: ClusterStatus;
let kc: string;

test.before(async () => {
  try {
    cluster = await provider().up(NAME, { node: true });
    kc = cluster.kubeconfig;
  } catch (error) {
    // uvu counts the tests as failed but does not print a hook's error: say why here.
    console.error(`cluster ${NAME} with a node failed to start:`, error);
    throw error;
  }
});

test.after(async () => {
  await downCluster(NAME);
});

test('the PostgreSQL and MariaDB StatefulSets reach Ready with a bound PVC each', async () => {
  assert.ok(cluster.node, 'the cluster has a node');
  await kubectl(kc, ['create', 'namespace', NS]);
  await kubectl(kc, ['apply', '-n', NS, '-f', fixture('postgres.yaml'), '-f', fixture('mariadb.yaml')]);
  for (const db of DBS) {
    await kubectl(kc, ['rollout', 'status', '-n', NS, `statefulset/${db}`, '--timeout=240s'], { timeoutMs: 260_000 });
    const phase = await kubectl(kc, ['get', 'pvc', '-n', NS, `data-${db}-0`, '-o', 'jsonpath={.status.phase}']);
    assert.is(phase.stdout, 'Bound', `PVC of ${db}`);
  }
});

test('rows written through exec are read back after the pod is deleted and re-created', async () => {
  const rows = 500;
  const want = expectedChecksum(rows).sha256;
  for (const db of DBS) assert.is(await dbdata(kc, ['write', '--db', db, '-n', NS, '--rows', String(rows)]), want, `${db} after write`);
  const uids = new Map<string, string>();
  for (const db of DBS) uids.set(db, (await kubectl(kc, ['get', 'pod', '-n', NS, `${db}-0`, '-o', 'jsonpath={.metadata.uid}'])).stdout);
  await kubectl(kc, ['delete', 'pod', '-n', NS, 'postgres-0', 'mariadb-0', '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
  for (const db of DBS) {
    await eventually(`${db}-0 re-created`, async () => {
      const uid = (await kubectl(kc, ['get', 'pod', '-n', NS, `${db}-0`, '-o', 'jsonpath={.metadata.uid}'], { allowFail: true })).stdout;
      return uid !== '' && uid !== uids.get(db);
    });
    // dbdata waits for Ready itself.
    assert.is(await dbdata(kc, ['checksum', '--db', db, '-n', NS]), want, `${db} after the pod was re-created`);
  }
});

test('kubectl logs and kubectl exec work against the database pods', async () => {
  const pg = await kubectl(kc, ['logs', '-n', NS, 'postgres-0']);
  assert.match(pg.stdout, /database system is ready to accept connections/);
  const maria = await kubectl(kc, ['logs', '-n', NS, 'mariadb-0']);
  assert.match(maria.stdout + maria.stderr, /ready for connections/);
  const version = await kubectl(kc, ['exec', '-n', NS, 'postgres-0', '--', 'psql', '-U', 'postgres', '-Atc', 'show server_version']);
  assert.match(version.stdout, /^15\./);
  const echo = await kubectl(kc, ['exec', '-i', '-n', NS, 'mariadb-0', '--', 'cat'], { input: 'through stdin\n' });
  assert.is(echo.stdout, 'through stdin\n');
});

test('deleting the namespace removes the pods and releases the PVs (and their host dirs)', async () => {
  const pvs = (await kubectl(kc, ['get', 'pvc', '-n', NS, '-o', 'jsonpath={.items[*].spec.volumeName}'])).stdout.split(' ').filter(Boolean);
  assert.is(pvs.length, 2);
  const dirs: string[] = [];
  for (const pv of pvs) dirs.push((await kubectl(kc, ['get', 'pv', pv, '-o', 'jsonpath={.spec.hostPath.path}'])).stdout);
  for (const d of dirs) assert.ok(existsSync(d), `${d} exists while bound`);
  await kubectl(kc, ['delete', 'namespace', NS, '--wait=true', '--timeout=180s'], { timeoutMs: 190_000 });
  const pods = await kubectl(kc, ['get', 'pods', '-A', '-o', 'name']);
  assert.is(pods.stdout.trim(), '');
  await eventually('the PVs to be deleted', async () => {
    const left = await kubectl(kc, ['get', 'pv', '-o', 'name']);
    return left.stdout.trim() === '';
  });
  for (const d of dirs) assert.not.ok(existsSync(d), `${d} removed with its PV`);
});

test.run();
