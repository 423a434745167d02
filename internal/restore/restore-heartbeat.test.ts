import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Restore } from './restore-object.ts';
import { HEARTBEAT_ANNOTATION, RENEW_ANNOTATION, restoreAsSeen, startRestoreHeartbeat } from './restore-heartbeat.ts';

const restore = (): Restore => ({ apiVersion: 'velero.io/v1', kind: 'Restore', metadata: { name: 'r', namespace: 'velero' }, spec: { backupName: 'b' }, status: { phase: 'InProgress' } });

test('a renewal in flight is waited for by end(), and nothing is saved after it', async () => {
  const saved: Restore[] = [];
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  const r = restore();
  let first = true;
  const beat = await startRestoreHeartbeat(r, async (x) => {
    if (!first) await slow;
    first = false;
    saved.push(x);
  }, 3600);
  r.status.progress = { totalItems: 2, itemsRestored: 1 };
  void beat.save();
  let ended = false;
  const ending = beat.end().then(() => (ended = true));
  await new Promise((x) => setTimeout(x, 10));
  assert.not.ok(ended, 'end() waits for the save in flight');
  release();
  await ending;
  await beat.save();
  assert.is(saved.length, 2, 'the first save, then the progress save; none after end()');
  assert.is(saved[0]!.metadata.annotations?.[RENEW_ANNOTATION], '3600');
  assert.equal(saved[1]!.status.progress, { totalItems: 2, itemsRestored: 1 });
});

test('a reader shows an InProgress restore whose heartbeat stopped as Failed, naming the process; a fresh one as it is', () => {
  const r = restore();
  r.metadata.annotations = { [HEARTBEAT_ANNOTATION]: '2026-01-01T00:00:00.000Z', [RENEW_ANNOTATION]: '5', 'kubectl-velero.io/heartbeat-holder': 'host/42' };
  const at = Date.parse('2026-01-01T00:00:00.000Z');
  assert.is(restoreAsSeen(r, at + 19_000).status.phase, 'InProgress');
  const stale = restoreAsSeen(r, at + 21_000);
  assert.is(stale.status.phase, 'Failed');
  assert.match(stale.status.failureReason ?? '', /the process running the restore \(host\/42\) stopped before it finished: no heartbeat since 2026-01-01T00:00:00.000Z/);
  // Finished restores and records without a heartbeat (older ones, Velero's) are shown as stored.
  assert.is(restoreAsSeen({ ...r, status: { phase: 'Completed' } }, at + 1e9).status.phase, 'Completed');
  assert.is(restoreAsSeen(restore(), at + 1e9).status.phase, 'InProgress');
});

test.run();
