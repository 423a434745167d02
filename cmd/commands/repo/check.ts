import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { openLocationRepository } from './open-repository.ts';

export class RepoCheckCommand extends LocationCommand {
  static override paths = [['repo', 'check']];

  static override usage = Command.Usage({
    category: 'Volume repository',
    description: 'verify the volume data repository of a storage location',
    details: 'Checks that every chunk each snapshot needs is listed by a pack index and its pack exists, and — unless `--no-read-data` — that it decrypts, decompresses and hashes to its id. Exits 1 and names the broken snapshots (and their backups) when something is wrong.',
    examples: [
      ['Check the default location', 'kubectl velero repo check'],
      ['Only look for missing chunks', 'kubectl velero repo check --storage-location minio --no-read-data'],
    ],
  });

  encryptionKeyFile = Option.String('--encryption-key-file', { description: 'the key file of an encrypted repository' });
  readData = Option.Boolean('--read-data', true, { description: 'read and verify every chunk (default; --no-read-data only lists them)' });

  async run(): Promise<number> {
    const repo = await openLocationRepository((await this.openLocation()).store, this.encryptionKeyFile);
    const report = await repo.check({ readData: this.readData });
    const out = this.context.stdout;
    out.write(`${report.snapshots} snapshots, ${report.chunks} chunks stored in ${report.packs} packs, ${report.chunksRead} chunks read and verified.\n`);
    if (!report.problems.length) {
      out.write('No problems found.\n');
      return 0;
    }
    const broken = new Map<string, string>();
    for (const p of report.problems) {
      broken.set(p.snapshot, p.backup);
      out.write(`snapshot ${p.snapshot} (backup ${p.backup}): ${p.problem}${p.chunk && !p.problem.includes(p.chunk) ? ` (chunk ${p.chunk})` : ''}\n`);
    }
    this.context.stderr.write(`error: ${broken.size} snapshots are damaged: ${[...broken].map(([s, b]) => `${s} (backup ${b})`).join(', ')}\n`);
    return 1;
  }
}
