import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { openBackupStore } from './open-store.ts';

export class BackupDownloadCommand extends LocationCommand {
  static override paths = [['backup', 'download']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'download a backup\'s tarball',
    details: 'Writes the backup\'s resource tarball to `NAME-data.tar.gz` in the current directory, or to the file given with `-o` (`-o -` writes to stdout).',
    examples: [['Download a backup', 'kubectl velero backup download shop-1 -o shop-1.tar.gz']],
  });

  name = Option.String({ name: 'NAME' });
  output = Option.String('-o,--output', { description: 'file to write (default NAME-data.tar.gz; - for stdout)' });
  force = Option.Boolean('--force', false, { description: 'overwrite an existing file' });

  async run(): Promise<number> {
    const { backups } = openBackupStore(await this.openLocation());
    const file = this.output ?? `${this.name}-data.tar.gz`;
    const tarball = await backups.tarball(this.name);
    if (file === '-') {
      await pipeline(tarball, this.context.stdout);
      return 0;
    }
    await pipeline(tarball, createWriteStream(file, { flags: this.force ? 'w' : 'wx' }));
    this.context.stdout.write(`Backup ${this.name} has been successfully downloaded to ${file}\n`);
    return 0;
  }
}
