// restore create's hooks: init containers added to restored pods, exec hooks once they run.
import type { KubeConfig } from '@kubernetes/client-node';
import type { BackupLog } from '../../../internal/backup/backup-log.ts';
import { RestoreHookRunner, type RestoreHooksSpec } from '../../../internal/hooks/restore-hooks.ts';
import type { KubeRequester } from '../../../internal/kube/http-client.ts';
import type { RestoreSpec } from '../../../internal/restore/restore-object.ts';
import type { RestorePodStep } from '../../../internal/restore/run-restore.ts';
import { podExec } from '../volume-options.ts';

export function restoreHookStep(spec: RestoreSpec, kc: KubeConfig, client: KubeRequester, log: BackupLog, onWaiting?: (line: string) => void): RestorePodStep {
  const runner = new RestoreHookRunner(spec.hooks as RestoreHooksSpec | undefined, podExec(kc), client, log, undefined, onWaiting);
  return { prepare: (pod) => runner.prepare(pod), created: (pod, _original, report) => runner.created(pod, report) };
}
