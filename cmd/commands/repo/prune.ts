import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { openLocationRepository } from './open-repository.ts';

export class RepoPruneCommand extends LocationCommand {
  static override paths = [['repo', 'prune']];

  static override usage = Command.Usage({
    category: 'Volume repository',
    description: 'delete volume data chunks that no snapshot uses any more',
    details: 'Deleting a backup drops its snapshots; the chunks only they used stay until a prune. Prune deletes packs no snapshot uses, rewrites the others that hold unused chunks, and refuses to run while a backup is writing into the repository.',
    examples: [['Prune the default location', 'kubectl velero repo prune']],
  });

  encryptionKeyFile = Option.String('--encryption-key-file', { description: 'the key file of an encrypted repository' });

  async run(): Promise<number> {
    const repo = await openLocationRepository((await this.openWritableLocation('prune its volume repository')).store, this.encryptionKeyFile);
    const report = await repo.prune();
    this.context.stdout.write(`Pruned: ${report.chunksDeleted} chunks deleted (${report.packsDeleted} packs deleted, ${report.packsRewritten} rewritten without their unused chunks), ${report.chunksKept} kept.\n`);
    return 0;
  }
}
