// The end of a `schedule run` pass: expired backups are garbage-collected, as Velero's server
// does on its own (internal/backup/gc.ts). What it deleted or could not is printed; a failure
// counts against the run's exit code but stops nothing.
import type { Writable } from 'node:stream';
import type { VolumeSnapshotDeleter } from '../../../internal/backup/delete-backup.ts';
import type { ObjectStore } from '../../../internal/storage/object-store.ts';

/** Runs the collection; returns how many failures it met. */
export async function collectExpired(store: ObjectStore, encryptionKey: Buffer | undefined, out: { stdout: Writable; stderr: Writable }, volumeSnapshots?: VolumeSnapshotDeleter): Promise<number> {
  const { collectGarbage } = await import('../../../internal/backup/gc.ts');
  try {
    const report = await collectGarbage({
      store,
      encryptionKey,
      volumeSnapshots,
      log: { info: (line) => out.stdout.write(`${line}\n`), warn: (line) => out.stderr.write(`${line}\n`) },
    });
    return report.failed.length + (report.prune.status === 'failed' ? 1 : 0);
  } catch (error) {
    out.stderr.write(`error: garbage collection of expired backups failed: ${(error as Error).message}\n`);
    return 1;
  }
}
