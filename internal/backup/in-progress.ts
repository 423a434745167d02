// A running backup's heartbeat. velero-backup.json is written last, so a backup whose process dies
// (SIGKILL, a lost machine) would otherwise leave no trace but a partial tarball. From its start
// until its record is published, a backup keeps `plugins/kubectl-velero/backups/NAME/in-progress.json`
// — the InProgress Backup object, when it last beat, and how often it beats — and renews it. Readers
// show a fresh one as InProgress and a stale one as Failed, as Velero's server marks the backups it
// finds InProgress at start-up; `backup delete` removes it. The record says its own renewal
// interval (as a Kubernetes Lease says its duration), so a reader needs no shared setting.
import { hostname } from 'node:os';
import { pluginBackupKeys } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readJsonIfExists } from '../storage/object-reads.ts';
import type { Backup } from './backup-object.ts';

export interface InProgressRecord {
  backup: Backup;
  /** When the process last renewed the record (RFC 3339). */
  heartbeat: string;
  /** How often it renews; the record is stale after STALE_AFTER_BEATS of them. */
  renewSeconds: number;
  /** host/pid, to tell a user which process it was. */
  holder: string;
}

/** Renewal every 30 s unless KUBECTL_VELERO_HEARTBEAT_SECONDS says otherwise (tests shorten it). */
export function renewSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.KUBECTL_VELERO_HEARTBEAT_SECONDS);
  return Number.isFinite(n) && n > 0 ? n : 30;
}
const STALE_AFTER_BEATS = 4;

export interface Heartbeat {
  /** Stops renewing and removes the record (after the final record is published). */
  end(): Promise<void>;
}

/** Writes the record now, then renews it until `end`. A failed renewal is retried at the next beat. */
export async function startHeartbeat(store: ObjectStore, backup: Backup, every = renewSeconds()): Promise<Heartbeat> {
  const key = pluginBackupKeys(backup.metadata.name).inProgress;
  const holder = `${hostname()}/${process.pid}`;
  const write = () => store.put(key, JSON.stringify({ backup, heartbeat: new Date().toISOString(), renewSeconds: every, holder } satisfies InProgressRecord), { contentType: 'application/json' });
  await write();
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    writing = writing.then(write).catch(() => undefined);
  }, every * 1000);
  timer.unref();
  return {
    async end() {
      clearInterval(timer);
      await writing;
      await store.delete(key);
    },
  };
}

export async function readInProgress(store: ObjectStore, name: string): Promise<InProgressRecord | undefined> {
  return readJsonIfExists<InProgressRecord>(store, pluginBackupKeys(name).inProgress);
}

/** Whether the process behind the record has stopped renewing it. */
export function isStale(record: InProgressRecord, now = Date.now()): boolean {
  const beat = Date.parse(record.heartbeat);
  return !Number.isFinite(beat) || now - beat > STALE_AFTER_BEATS * Math.max(1, record.renewSeconds) * 1000;
}

/** The Backup a reader shows for the record: InProgress while it beats, Failed once it is stale. */
export function backupOfRecord(record: InProgressRecord, now = Date.now()): Backup {
  if (!isStale(record, now)) return record.backup;
  return {
    ...record.backup,
    status: {
      ...record.backup.status,
      phase: 'Failed',
      failureReason: `the process running the backup (${record.holder}) stopped before it finished: no heartbeat since ${record.heartbeat}`,
    },
  };
}
