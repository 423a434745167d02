import { Command, Option } from 'clipanion';
import { BaseCommand } from '../../base-command.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { renderTable } from '../../../internal/output/table.ts';
import { IMPLICIT_DEFAULT, LocationConfigError, type LocationSpec, defaultLocalPath, readLocations } from '../../../internal/storage/location-config.ts';

/** A location as Velero's BackupStorageLocation object, for -o json|yaml. */
function asBsl(name: string, spec: LocationSpec, isDefault: boolean) {
  return {
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata: { name },
    spec: {
      provider: spec.provider,
      objectStorage: { bucket: spec.bucket ?? '', ...(spec.prefix ? { prefix: spec.prefix } : {}) },
      ...(spec.config && Object.keys(spec.config).length ? { config: spec.config } : {}),
      default: isDefault,
      accessMode: 'ReadWrite',
    },
  };
}

export class BackupLocationGetCommand extends BaseCommand {
  static override paths = [['backup-location', 'get']];

  static override usage = Command.Usage({
    category: 'Backup storage locations',
    description: 'list backup storage locations',
    details: 'Lists the locations in the plugin config file. With none configured, the implicit `default` location (a local directory) is shown.',
    examples: [
      ['List locations', 'kubectl velero backup-location get'],
      ['One location as YAML', 'kubectl velero backup-location get minio -o yaml'],
    ],
  });

  name = Option.String({ required: false, name: 'NAME' });
  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const file = readLocations();
    let entries = Object.entries(file.locations);
    let defaultName = file.defaultLocation;
    if (entries.length === 0) {
      entries = [[IMPLICIT_DEFAULT, { provider: 'local', config: { path: defaultLocalPath() } }]];
      defaultName = IMPLICIT_DEFAULT;
    }
    if (this.name) {
      entries = entries.filter(([n]) => n === this.name);
      if (entries.length === 0) throw new LocationConfigError(`backup storage location "${this.name}" not found`);
    }
    if (format !== 'table') {
      const items = entries.map(([n, s]) => asBsl(n, s, n === defaultName));
      this.context.stdout.write(renderStructured(this.name ? items[0] : { apiVersion: 'velero.io/v1', kind: 'BackupStorageLocationList', items }, format));
      return 0;
    }
    const rows = entries.map(([n, s]) => [
      n,
      s.provider,
      s.provider === 'local' ? (s.config?.path ?? defaultLocalPath()) : `${s.bucket ?? ''}${s.prefix ? `/${s.prefix}` : ''}`,
      s.config?.s3Url ?? '',
      n === defaultName ? 'true' : '',
    ]);
    this.context.stdout.write(renderTable(['NAME', 'PROVIDER', 'BUCKET/PREFIX', 'ENDPOINT', 'DEFAULT'], rows));
    return 0;
  }
}
