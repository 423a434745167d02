import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { createBackup } from '../../../internal/backup/create-backup.ts';
import { splitList } from '../../../internal/backup/spec.ts';
import { KubeClusterSource } from '../../../internal/kube/cluster-source.ts';
import { assertReachable, KubeHttpClient } from '../../../internal/kube/http-client.ts';
import { loadKubeConfig } from '../../../internal/kube/kubeconfig.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { formatBytes, podExec, readEncryptionKey } from '../volume-options.ts';
import { readHooksFile } from '../hooks-file.ts';
import { backupHooks } from './hook-steps.ts';
import { openBackupStore } from './open-store.ts';
import { volumeBackupStep } from './volume-steps.ts';
import { BadFlagValueError, parseKeyValues, parseOptionalBool, ProgressLine } from './flags.ts';

export class BackupCreateCommand extends LocationCommand {
  static override paths = [['backup', 'create']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'back up cluster resources into a storage location',
    details: `
      Lists the cluster's resources with your own credentials and writes a Velero-compatible backup (tarball, logs, resource list, results, velero-backup.json last) to the storage location. The backup runs in this process; \`--wait\` is accepted for Velero compatibility.

      Filters follow Velero: \`*\` means all, excludes win, resource names may be \`resource.group\`, short names or kinds. With \`--include-cluster-resources\` unset, cluster-scoped resources are backed up for a whole-cluster backup, and otherwise only when related to included items (PVs of PVCs, CRDs of custom resources, cluster roles of service accounts).
    `,
    examples: [
      ['Back up one namespace', 'kubectl velero backup create shop-1 --include-namespaces shop'],
      ['Back up labelled objects, keep for a week', 'kubectl velero backup create web --selector app=web --ttl 168h'],
      ['Back up everything except secrets', 'kubectl velero backup create all --exclude-resources secrets'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  includeNamespaces = Option.Array('--include-namespaces', { description: 'namespaces to include (comma-separated; default *)' });
  excludeNamespaces = Option.Array('--exclude-namespaces', { description: 'namespaces to exclude' });
  includeResources = Option.Array('--include-resources', { description: 'resources to include (resource.group, short names or kinds)' });
  excludeResources = Option.Array('--exclude-resources', { description: 'resources to exclude' });
  includeClusterScoped = Option.Array('--include-cluster-scoped-resources', { description: 'cluster-scoped resources to include' });
  excludeClusterScoped = Option.Array('--exclude-cluster-scoped-resources', { description: 'cluster-scoped resources to exclude' });
  includeNamespaceScoped = Option.Array('--include-namespace-scoped-resources', { description: 'namespace-scoped resources to include' });
  excludeNamespaceScoped = Option.Array('--exclude-namespace-scoped-resources', { description: 'namespace-scoped resources to exclude' });
  includeClusterResources = Option.String('--include-cluster-resources', { tolerateBoolean: true, description: 'include cluster-scoped resources: true, false, or unset for auto' });
  selector = Option.String('-l,--selector', { description: 'only back up objects matching this label selector' });
  orSelector = Option.String('--or-selector', { description: 'back up objects matching any of these selectors: "a=b or c=d"' });
  orderedResources = Option.String('--ordered-resources', { description: 'back up these items first: "pods=ns1/pod1,ns1/pod2;persistentvolumes=pv4"' });
  ttl = Option.String('--ttl', { description: 'how long to keep the backup (default 720h0m0s)' });
  labels = Option.String('--labels', { description: 'labels for the backup: key=value,key2=value2' });
  annotations = Option.String('--annotations', { description: 'annotations for the backup: key=value' });
  snapshotVolumes = Option.String('--snapshot-volumes', { tolerateBoolean: true, description: 'take volume snapshots (recorded in the spec)' });
  defaultVolumesToFsBackup = Option.String('--default-volumes-to-fs-backup', { tolerateBoolean: true, description: 'use file-system backup for all volumes by default (recorded in the spec)' });
  hooksFile = Option.String('--hooks-file', { description: "Velero's backup hooks spec (YAML/JSON: resources with pre/post exec hooks); pod annotations still take priority" });
  encryptionKeyFile = Option.String('--encryption-key-file', { description: 'encrypt file-system volume data with this key (32 raw bytes or a passphrase file); restores need the same file' });
  wait = Option.Boolean('-w,--wait', false, { description: 'wait for the backup to finish (always: it runs in this process)' });
  concurrency = Option.String('--concurrency', '8', { description: 'how many LIST requests run at once' });
  output = Option.String('-o,--output', { description: 'print the Backup object as json or yaml when done' });

  async run(): Promise<number> {
    const format = this.output ? parseOutputFormat(this.output) : 'table';
    const concurrency = Number(this.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new BadFlagValueError(`invalid --concurrency "${this.concurrency}": use a whole number of at least 1`);
    const namespace = this.veleroNamespace();
    const store = openBackupStore(await this.openWritableLocation('create backups in it'));
    const kc = await loadKubeConfig(this.kubeTarget());
    // Before anything is written: an unreachable cluster is an error, not a Failed backup.
    await assertReachable(kc);
    const client = new KubeHttpClient(kc, { maxSockets: Math.max(4, concurrency) });
    const progress = new ProgressLine(this.context.stderr, Boolean((this.context.stderr as { isTTY?: boolean }).isTTY));
    let volumeBytes = 0;
    const volumes = volumeBackupStep({ kc, store: store.store, location: store.location, encryptionKey: readEncryptionKey(this.encryptionKeyFile), onBytes: (b) => (volumeBytes = b) });
    // Ctrl-C or SIGTERM: the backup is recorded Failed ("interrupted") and its partial upload removed;
    // a second Ctrl-C quits at once.
    const interrupt = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (interrupt.signal.aborted) process.exit(130);
      this.context.stderr.write(`\n${signal}: stopping the backup and recording it Failed (Ctrl-C again to quit at once)\n`);
      interrupt.abort(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const backup = await createBackup({
        signal: interrupt.signal,
        name: this.name,
        veleroNamespace: namespace,
        options: {
          includeNamespaces: splitList(this.includeNamespaces),
          excludeNamespaces: splitList(this.excludeNamespaces),
          includeResources: splitList(this.includeResources),
          excludeResources: splitList(this.excludeResources),
          includeClusterScopedResources: splitList(this.includeClusterScoped),
          excludeClusterScopedResources: splitList(this.excludeClusterScoped),
          includeNamespaceScopedResources: splitList(this.includeNamespaceScoped),
          excludeNamespaceScopedResources: splitList(this.excludeNamespaceScoped),
          includeClusterResources: parseOptionalBool('--include-cluster-resources', this.includeClusterResources),
          selector: this.selector,
          orSelector: this.orSelector,
          orderedResources: this.orderedResources,
          ttl: this.ttl,
          storageLocation: store.location,
          snapshotVolumes: parseOptionalBool('--snapshot-volumes', this.snapshotVolumes),
          defaultVolumesToFsBackup: parseOptionalBool('--default-volumes-to-fs-backup', this.defaultVolumesToFsBackup),
          labels: parseKeyValues('--labels', this.labels),
          hooks: readHooksFile(this.hooksFile),
        },
        labels: parseKeyValues('--labels', this.labels),
        annotations: parseKeyValues('--annotations', this.annotations),
        source: new KubeClusterSource(client),
        target: store.target,
        concurrency,
        onProgress: (p) => progress.update(`Backup in progress: ${p.itemsBackedUp} items backed up (${p.totalItems} found so far)${volumeBytes ? `, ${formatBytes(volumeBytes)} of volume data` : ''}`),
        podSteps: (backup, log) => ({ hooks: backupHooks(backup, log, podExec(kc)), volumes: volumes(backup, log) }),
      });
      progress.done();
      const { phase, warnings = 0, errors = 0, progress: counts } = backup.status;
      if (format !== 'table') this.context.stdout.write(renderStructured(backup, format));
      else {
        this.context.stdout.write(`Backup "${this.name}" ${phase === 'Completed' ? 'completed' : `finished with phase ${phase}`}: ${counts?.itemsBackedUp ?? 0} items, ${errors} errors, ${warnings} warnings, stored in ${store.target.describe()}.\n`);
        if (phase !== 'Completed') this.context.stdout.write(`Run \`kubectl velero backup describe ${this.name}\` and \`kubectl velero backup logs ${this.name}\` for details.\n`);
        if (backup.status.failureReason) this.context.stderr.write(`error: ${backup.status.failureReason}\n`);
      }
      if (interrupt.signal.aborted) return 130;
      return phase === 'Failed' ? 1 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      progress.done();
      client.close();
    }
  }
}
