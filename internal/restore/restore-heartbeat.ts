// A running restore's heartbeat. The Restore object is saved InProgress when the restore starts and
// last when it ends; a process that dies in between (SIGKILL, a lost machine, a store that went
// away before the final save) would leave it InProgress for ever. While it runs, the object is saved
// again every few seconds with the time of the save and the renewal interval as annotations (as a
// Kubernetes Lease says its duration), progress saves included; readers show a restore whose saves
// stopped as Failed, as Velero's server marks the restores it finds InProgress at start-up.
// Every save goes through one chain, so no renewal can land after the final record.
import { hostname } from 'node:os';
import { renewSeconds } from '../backup/in-progress.ts';
import type { Restore } from './restore-object.ts';

export const HEARTBEAT_ANNOTATION = 'kubectl-velero.io/heartbeat';
export const RENEW_ANNOTATION = 'kubectl-velero.io/heartbeat-renew-seconds';
export const HOLDER_ANNOTATION = 'kubectl-velero.io/heartbeat-holder';
const STALE_AFTER_BEATS = 4;

export interface RestoreHeartbeat {
  /** Saves the restore as it is now (progress), after any save in flight. Best effort. */
  save(): Promise<void>;
  /** Stops renewing; resolves once no save is in flight, so the final record is the last one. */
  end(): Promise<void>;
}

/** Saves the record now (a store that refuses it fails the call), then renews it until `end`. */
export async function startRestoreHeartbeat(restore: Restore, put: (restore: Restore) => Promise<void>, every = renewSeconds()): Promise<RestoreHeartbeat> {
  const holder = `${hostname()}/${process.pid}`;
  const record = () => {
    const r = structuredClone(restore);
    r.metadata.annotations = { ...r.metadata.annotations, [HEARTBEAT_ANNOTATION]: new Date().toISOString(), [RENEW_ANNOTATION]: String(every), [HOLDER_ANNOTATION]: holder };
    return r;
  };
  await put(record());
  let chain: Promise<void> = Promise.resolve();
  let ended = false;
  const save = () => {
    if (ended) return chain;
    const next = record();
    // A failed renewal is tried again at the next beat; the final save reports store errors.
    chain = chain.then(() => put(next)).catch(() => undefined);
    return chain;
  };
  const timer = setInterval(save, every * 1000);
  timer.unref();
  return {
    save,
    async end() {
      ended = true;
      clearInterval(timer);
      await chain;
    },
  };
}

/** The restore as a reader shows it: an InProgress one whose heartbeat stopped is Failed, saying why. */
export function restoreAsSeen(restore: Restore, now = Date.now()): Restore {
  const annotations = restore.metadata.annotations ?? {};
  const beat = annotations[HEARTBEAT_ANNOTATION];
  if (restore.status.phase !== 'InProgress' || beat === undefined) return restore;
  const every = Math.max(1, Number(annotations[RENEW_ANNOTATION]) || 30);
  const at = Date.parse(beat);
  if (Number.isFinite(at) && now - at <= STALE_AFTER_BEATS * every * 1000) return restore;
  const holder = annotations[HOLDER_ANNOTATION] ?? 'unknown';
  return { ...restore, status: { ...restore.status, phase: 'Failed', failureReason: `the process running the restore (${holder}) stopped before it finished: no heartbeat since ${beat}` } };
}
