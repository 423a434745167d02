import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { renderTable } from '../../../internal/output/table.ts';
import { formatBytes } from '../volume-options.ts';

export class RepoSnapshotsCommand extends LocationCommand {
  static override paths = [['repo', 'snapshots']];

  static override usage = Command.Usage({
    category: 'Volume repository',
    description: 'list the volume snapshots in the repository of a storage location',
    details: 'One snapshot per backed-up pod volume. Needs no encryption key: manifests hold ids and sizes only.',
    examples: [
      ['List snapshots', 'kubectl velero repo snapshots'],
      ['As JSON', 'kubectl velero repo snapshots -o json'],
    ],
  });

  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const { store } = await this.openLocation();
    const { assertRepositoryExists, listSnapshots } = await import('../../../internal/volumes/repository/repository.ts');
    await assertRepositoryExists(store);
    const rows = [];
    for await (const s of listSnapshots(store)) rows.push({ id: s.id, backup: s.meta.backup, namespace: s.meta.namespace, pod: s.meta.pod, volume: s.meta.volume, bytes: s.totalBytes, chunks: s.chunks, created: s.created });
    rows.sort((a, b) => a.created.localeCompare(b.created));
    if (format !== 'table') {
      this.context.stdout.write(renderStructured(rows, format));
      return 0;
    }
    this.context.stdout.write(renderTable(['ID', 'BACKUP', 'NAMESPACE/POD', 'VOLUME', 'SIZE', 'CREATED'], rows.map((r) => [r.id, r.backup, `${r.namespace}/${r.pod}`, r.volume, formatBytes(r.bytes), r.created])));
    return 0;
  }
}
