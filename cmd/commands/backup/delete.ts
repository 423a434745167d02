import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { openBackupStore } from './open-store.ts';

export class BackupDeleteCommand extends LocationCommand {
  static override paths = [['backup', 'delete']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'delete backups from their storage location',
    details: 'Removes every file of each named backup (velero-backup.json first, so a half-deleted backup is no longer listed), its volume-data records and its snapshots in the volume repository (`kubectl velero repo prune` then frees the chunks no other backup uses). There is no prompt: pass `--confirm`.',
    examples: [['Delete two backups', 'kubectl velero backup delete shop-1 shop-2 --confirm']],
  });

  names = Option.Rest({ name: 'NAME', required: 1 });
  confirm = Option.Boolean('--confirm', false, { description: 'confirm the deletion (required)' });

  async run(): Promise<number> {
    if (!this.confirm) throw new Error(`refusing to delete without --confirm: run kubectl velero backup delete ${this.names.join(' ')} --confirm`);
    const { backups, store } = openBackupStore(await this.openWritableLocation('delete backups from it'));
    const { deleteSnapshotsOfBackup } = await import('../../../internal/volumes/repository/repository.ts');
    const { pluginBackupKeys } = await import('../../../internal/storage/layout.ts');
    let failed = 0;
    for (const name of this.names) {
      try {
        await backups.delete(name);
        const snapshots = await deleteSnapshotsOfBackup(store, name);
        for await (const key of store.list(pluginBackupKeys(name).dir)) await store.delete(key);
        this.context.stdout.write(`Backup "${name}" deleted${snapshots ? ` (and ${snapshots} volume snapshots)` : ''}.\n`);
      } catch (error) {
        failed++;
        this.context.stderr.write(`error: ${(error as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  }
}
