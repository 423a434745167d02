import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { snapshotDeleter } from './snapshot-deleter.ts';

export class BackupDeleteCommand extends LocationCommand {
  static override paths = [['backup', 'delete']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'delete backups from their storage location',
    details: 'Removes every file of each named backup (velero-backup.json first, so a half-deleted backup is no longer listed), its volume-data records and its snapshots in the volume repository (`kubectl velero backup gc` or `repo prune` then frees the chunks no other backup uses). A deletion cut short is finished by the next `backup gc`. There is no prompt: pass `--confirm`.',
    examples: [['Delete two backups', 'kubectl velero backup delete shop-1 shop-2 --confirm']],
  });

  names = Option.Rest({ name: 'NAME', required: 1 });
  confirm = Option.Boolean('--confirm', false, { description: 'confirm the deletion (required)' });

  async run(): Promise<number> {
    if (!this.confirm) throw new Error(`refusing to delete without --confirm: run kubectl velero backup delete ${this.names.join(' ')} --confirm`);
    const { store } = await this.openWritableLocation('delete backups from it');
    const { deleteBackup } = await import('../../../internal/backup/delete-backup.ts');
    const deleter = snapshotDeleter(this.kubeTarget(), this.veleroNamespace());
    let failed = 0;
    for (const name of this.names) {
      try {
        const { snapshots, volumeSnapshots } = await deleteBackup(store, name, { reason: 'backup delete', volumeSnapshots: deleter });
        const also = [
          ...(snapshots ? [`${snapshots} volume snapshot${snapshots === 1 ? '' : 's'}`] : []),
          ...(volumeSnapshots ? [`${volumeSnapshots} storage snapshot${volumeSnapshots === 1 ? '' : 's'}`] : []),
        ];
        this.context.stdout.write(`Backup "${name}" deleted${also.length ? ` (and ${also.join(' and ')})` : ''}.\n`);
      } catch (error) {
        failed++;
        this.context.stderr.write(`error: ${(error as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  }
}
