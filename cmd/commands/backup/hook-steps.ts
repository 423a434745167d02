// backup create's exec hooks: Velero's pre/post hooks around each pod, from its annotations or the
// backup's hooks spec; a hook with onError Fail stops the backup.
import type { Backup } from '../../../internal/backup/backup-object.ts';
import type { BackupLog } from '../../../internal/backup/backup-log.ts';
import { BackupAbort, type PodHooks } from '../../../internal/backup/item-backupper.ts';
import { BackupHookRunner, type BackupHooksSpec, HookAbort } from '../../../internal/hooks/backup-hooks.ts';
import type { PodExec } from '../../../internal/hooks/exec-hook.ts';

export function backupHooks(backup: Backup, log: BackupLog, exec: PodExec): PodHooks {
  const runner = new BackupHookRunner(backup.spec.hooks as BackupHooksSpec | undefined, exec, log);
  return {
    async run(phase, pod, report) {
      try {
        await runner.run(phase, pod, report);
      } catch (error) {
        if (error instanceof HookAbort) throw new BackupAbort(error.message);
        throw error;
      }
    },
  };
}
