import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import type { ClusterLocation } from '../../../internal/kube/backup-storage-locations.ts';
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

export class BackupLocationGetCommand extends KubeCommand {
  static override paths = [['backup-location', 'get']];

  static override usage = Command.Usage({
    category: 'Backup storage locations',
    description: 'list backup storage locations',
    details: 'Lists the locations in the plugin config file (SOURCE config) and, where Velero is installed, the BackupStorageLocation objects of the Velero namespace (`-n`, default `velero`; SOURCE cluster), which `--storage-location` can name too. With none configured, the implicit `default` location (a local directory) is shown.',
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
    const cluster = await this.clusterLocations();
    if (entries.length === 0 && !cluster.some((c) => c.isDefault)) {
      entries = [[IMPLICIT_DEFAULT, { provider: 'local', config: { path: defaultLocalPath() } }]];
      defaultName = IMPLICIT_DEFAULT;
    }
    let clusterEntries = cluster.filter((c) => !file.locations[c.name]);
    if (this.name) {
      entries = entries.filter(([n]) => n === this.name);
      clusterEntries = clusterEntries.filter((c) => c.name === this.name);
      if (entries.length === 0 && clusterEntries.length === 0) throw new LocationConfigError(`backup storage location "${this.name}" not found`);
    }
    if (format !== 'table') {
      const items = [...entries.map(([n, s]) => asBsl(n, s, n === defaultName)), ...clusterEntries.map(clusterBsl)];
      this.context.stdout.write(renderStructured(this.name ? items[0] : { apiVersion: 'velero.io/v1', kind: 'BackupStorageLocationList', items }, format));
      return 0;
    }
    const rows = [
      ...entries.map(([n, s]) => [
        n,
        s.provider,
        s.provider === 'local' ? (s.config?.path ?? defaultLocalPath()) : `${s.bucket ?? ''}${s.prefix ? `/${s.prefix}` : ''}`,
        '',
        '',
        'ReadWrite',
        n === defaultName ? 'true' : '',
        'config',
      ]),
      ...clusterEntries.map((c) => [c.name, c.provider, `${c.bucket}${c.prefix ? `/${c.prefix}` : ''}`, c.phase ?? 'Unknown', c.lastValidationTime ?? '', c.accessMode, c.isDefault && !file.defaultLocation ? 'true' : '', 'cluster']),
    ];
    this.context.stdout.write(renderTable(['NAME', 'PROVIDER', 'BUCKET/PREFIX', 'PHASE', 'LAST VALIDATED', 'ACCESS MODE', 'DEFAULT', 'SOURCE'], rows));
    return 0;
  }

  /** The cluster's BackupStorageLocations; none when Velero is not installed or the cluster is not reachable. */
  private async clusterLocations(): Promise<ClusterLocation[]> {
    try {
      const { loadKubeConfig } = await import('../../../internal/kube/kubeconfig.ts');
      const { KubeHttpClient } = await import('../../../internal/kube/http-client.ts');
      const { listClusterLocations } = await import('../../../internal/kube/backup-storage-locations.ts');
      const client = new KubeHttpClient(await loadKubeConfig(this.kubeTarget()), { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
      try {
        const { locations, warning } = await listClusterLocations(client, this.veleroNamespace());
        if (warning) this.context.stderr.write(`warning: ${warning}\n`);
        return locations;
      } finally {
        client.close();
      }
    } catch {
      return [];
    }
  }
}

function clusterBsl(c: ClusterLocation) {
  return {
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata: { name: c.name },
    spec: {
      provider: c.provider,
      objectStorage: { bucket: c.bucket, ...(c.prefix ? { prefix: c.prefix } : {}) },
      ...(Object.keys(c.config).length ? { config: c.config } : {}),
      ...(c.credential ? { credential: c.credential } : {}),
      default: c.isDefault,
      accessMode: c.accessMode,
    },
    ...(c.phase ? { status: { phase: c.phase, ...(c.lastValidationTime ? { lastValidationTime: c.lastValidationTime } : {}) } } : {}),
  };
}
