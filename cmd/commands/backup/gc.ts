import { Command, Option } from 'clipanion';
import { snapshotDeleter } from './snapshot-deleter.ts';
import { LocationCommand } from '../../location-command.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { readEncryptionKey } from '../volume-options.ts';

export class BackupGcCommand extends LocationCommand {
  static override paths = [['backup', 'gc']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'delete the backups whose expiration (--ttl) has passed',
    details:
      "Velero's server deletes expired backups on its own; without a server, this does it. Every backup whose `status.expiration` has passed is deleted with its volume data records and its snapshots in the volume repository, deletions an earlier run left half done are finished, and the volume repository is then pruned (unless a backup is writing into it). A backup an InProgress restore reads, and a backup still running, are kept. A ReadOnly location is refused. `--dry-run` lists what would be deleted and changes nothing.",
    examples: [
      ['See what has expired', 'kubectl velero backup gc --dry-run'],
      ['Delete the expired backups of a location', 'kubectl velero backup gc --storage-location minio'],
    ],
  });

  dryRun = Option.Boolean('--dry-run', false, { description: 'list what would be deleted; change nothing' });
  encryptionKeyFile = Option.String('--encryption-key-file', { description: 'the key file of an encrypted volume repository (without it such a repository is not pruned)' });
  output = Option.String('-o,--output', { description: 'output format: json or yaml for the whole report (default: one line per backup and a summary)' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const encryptionKey = readEncryptionKey(this.encryptionKeyFile);
    // Refused before anything is read, dry run included: gc never touches a ReadOnly location, so
    // listing what it "would" delete there would be a promise it does not keep.
    const { store } = await this.openWritableLocation('garbage-collect expired backups in it');
    const { collectGarbage } = await import('../../../internal/backup/gc.ts');
    const lines = format === 'table';
    const report = await collectGarbage({
      store,
      dryRun: this.dryRun,
      encryptionKey,
      volumeSnapshots: snapshotDeleter(this.kubeTarget(), this.veleroNamespace()),
      log: {
        info: (line) => lines && this.context.stdout.write(`${line}\n`),
        warn: (line) => this.context.stderr.write(`${line}\n`),
      },
    });
    if (!lines) this.context.stdout.write(renderStructured(report, format as 'json' | 'yaml'));
    return report.failed.length || report.prune.status === 'failed' ? 1 : 0;
  }
}
