// The flags that say how a backup runs from this machine — not part of the backup itself, so not
// of a schedule's template: `backup create` takes them for its backup, `schedule run` for every
// backup it takes.
import { Option } from 'clipanion';
import type { KubeCommand } from '../../kube-options.ts';
import { API_RECONNECT_TIMEOUT_DESCRIPTION } from '../api-connection.ts';
import { readEncryptionKey } from '../volume-options.ts';
import { BadFlagValueError, parseCount } from './flags.ts';
import type { AbstractCommand } from './template-flags.ts';

export interface BackupRunSettings {
  concurrency: number;
  /** Objects per LIST page. */
  pageSize: number;
  /** --api-reconnect-timeout as given (connectForRun parses it). */
  reconnectTimeout?: string;
  encryptionKey?: Buffer;
  /** --volume-helper-image: the pod that reads a snapshot for --snapshot-move-data. */
  helperImage?: string;
}

export function withBackupRunFlags<TBase extends AbstractCommand<KubeCommand>>(Base: TBase) {
  abstract class WithBackupRunFlags extends Base {
    encryptionKeyFile = Option.String('--encryption-key-file', { description: 'encrypt file-system volume data with this key (32 raw bytes or a passphrase file); restores need the same file' });
    concurrency = Option.String('--concurrency', '8', { description: 'how many LIST requests run at once' });
    clientPageSize = Option.String('--client-page-size', { description: 'objects per page of each LIST request (default 500)' });
    apiReconnectTimeout = Option.String('--api-reconnect-timeout', { description: API_RECONNECT_TIMEOUT_DESCRIPTION });
    volumeHelperImage = Option.String('--volume-helper-image', { description: 'image of the short-lived pod that reads a CSI snapshot for --snapshot-move-data (needs sleep and tar; default busybox:1.36)' });

    backupRunSettings(): BackupRunSettings {
      const concurrency = Number(this.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new BadFlagValueError(`invalid --concurrency "${this.concurrency}": use a whole number of at least 1`);
      return {
        concurrency,
        pageSize: parseCount('--client-page-size', this.clientPageSize) ?? 500,
        reconnectTimeout: this.apiReconnectTimeout,
        encryptionKey: readEncryptionKey(this.encryptionKeyFile),
        helperImage: this.volumeHelperImage,
      };
    }
  }
  return WithBackupRunFlags;
}
