import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { renderTable } from '../../../internal/output/table.ts';
import { LocationConfigError } from '../../../internal/storage/location-config.ts';
import { asVolumeSnapshotLocation, listSnapshotLocations, type SnapshotLocationEntry } from '../../../internal/snapshots/snapshot-locations.ts';
import { withClusterAccess } from './cluster.ts';

export class SnapshotLocationGetCommand extends KubeCommand {
  static override paths = [['snapshot-location', 'get']];

  static override usage = Command.Usage({
    category: 'Volume snapshot locations',
    description: 'list volume snapshot locations',
    details: "Lists the volume snapshot locations of the plugin config file (SOURCE config) and, where Velero is installed, the VolumeSnapshotLocation objects of the Velero namespace (`-n`, default `velero`; SOURCE cluster). A name in both is the config file's. DEFAULT marks its provider's default location.",
    examples: [
      ['List locations', 'kubectl velero snapshot-location get'],
      ['One location as YAML', 'kubectl velero snapshot-location get ebs -o yaml'],
    ],
  });

  name = Option.String({ required: false, name: 'NAME' });
  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    let locations = await withClusterAccess(this, async (cluster) => {
      const listed = await listSnapshotLocations(cluster).catch(() => listSnapshotLocations(undefined));
      if (listed.warning) this.context.stderr.write(`warning: ${listed.warning}\n`);
      return listed.locations;
    });
    if (this.name) {
      locations = locations.filter((l) => l.name === this.name);
      if (locations.length === 0) throw new LocationConfigError(`volume snapshot location "${this.name}" not found`);
    }
    if (format !== 'table') {
      const items = locations.map((l) => asVolumeSnapshotLocation(l, this.veleroNamespace()));
      this.context.stdout.write(renderStructured(this.name ? items[0] : { apiVersion: 'velero.io/v1', kind: 'VolumeSnapshotLocationList', items }, format));
      return 0;
    }
    const rows = locations.map((l: SnapshotLocationEntry) => [l.name, l.provider, l.config.region ?? '', l.isDefault ? 'true' : '', l.source]);
    this.context.stdout.write(renderTable(['NAME', 'PROVIDER', 'REGION', 'DEFAULT', 'SOURCE'], rows));
    return 0;
  }
}
