import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { BadFlagValueError, parseOptionalBool, ProgressLine } from '../backup/flags.ts';
import { splitList } from '../../../internal/backup/spec.ts';
import { KubeHttpClient } from '../../../internal/kube/http-client.ts';
import { loadKubeConfig } from '../../../internal/kube/kubeconfig.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { createRestore } from '../../../internal/restore/create-restore.ts';
import { defaultRestoreName, type ExistingResourcePolicy } from '../../../internal/restore/restore-object.ts';

/** `old:new,old2:new2` */
export function parseNamespaceMappings(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from, to, extra] = pair.split(':');
    if (!from || !to || extra !== undefined) throw new BadFlagValueError(`invalid --namespace-mappings entry "${pair}": use old:new`);
    out[from] = to;
  }
  return out;
}

export class RestoreCreateCommand extends KubeCommand {
  static override paths = [['restore', 'create']];

  static override usage = Command.Usage({
    category: 'Restore',
    description: 'restore a backup into the current cluster',
    details: `Creates the backup's objects in the cluster of the current kubeconfig context (or \`--context\`), in Velero's priority order (CRDs, namespaces, storage classes, volumes, claims, RBAC, secrets, config maps, … pods late). Objects that already exist are compared, not overwritten: a difference is a warning unless \`--existing-resource-policy=update\`. Restoring into another cluster, with \`--namespace-mappings\`, is how workloads migrate. \`--dry-run\` shows per object what would happen (create, update, unchanged, skip) using server-side dry runs, and changes nothing.`,
    examples: [
      ['Restore a backup', 'kubectl velero restore create --from-backup shop-1'],
      ['Preview a restore without changing anything', 'kubectl velero restore create --from-backup shop-1 --dry-run'],
      ['Migrate namespace shop into shop-copy on another cluster', 'kubectl velero restore create --from-backup shop-1 --namespace-mappings shop:shop-copy --context cluster-b'],
    ],
  });

  name = Option.String({ required: false, name: 'NAME' });
  fromBackup = Option.String('--from-backup', { required: true, description: 'the backup to restore' });
  includeNamespaces = Option.Array('--include-namespaces', { description: 'namespaces to restore (default *)' });
  excludeNamespaces = Option.Array('--exclude-namespaces', { description: 'namespaces not to restore' });
  includeResources = Option.Array('--include-resources', { description: 'resources to restore (resource or resource.group)' });
  excludeResources = Option.Array('--exclude-resources', { description: 'resources not to restore' });
  includeClusterResources = Option.String('--include-cluster-resources', { tolerateBoolean: true, description: 'restore cluster-scoped resources: true, false, or unset for auto' });
  namespaceMappings = Option.String('--namespace-mappings', { description: 'restore namespaces under new names: old:new,old2:new2' });
  existingResourcePolicy = Option.String('--existing-resource-policy', 'none', { description: 'what to do with objects that exist and differ: none (warn) or update' });
  preserveNodePorts = Option.Boolean('--preserve-nodeports', false, { description: 'keep the node ports of Services' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'preview: server-side dry run of every create/update, nothing changes' });
  storageLocation = Option.String('--storage-location', { description: 'the backup storage location (default: the default location)' });
  concurrency = Option.String('--concurrency', '8', { description: 'how many objects are created at once' });
  wait = Option.Boolean('-w,--wait', false, { description: 'wait for the restore to finish (always: it runs in this process)' });
  output = Option.String('-o,--output', { description: 'print the Restore object as json or yaml when done' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const concurrency = Number(this.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new BadFlagValueError(`invalid --concurrency "${this.concurrency}": use a whole number of at least 1`);
    if (this.existingResourcePolicy !== 'none' && this.existingResourcePolicy !== 'update') {
      throw new BadFlagValueError(`invalid --existing-resource-policy "${this.existingResourcePolicy}": use none or update`);
    }
    const name = this.name ?? defaultRestoreName(this.fromBackup);
    const { openLocation } = await import('../../../internal/storage/locations.ts');
    const location = await openLocation(this.storageLocation);
    const client = new KubeHttpClient(await loadKubeConfig(this.kubeTarget()), { maxSockets: Math.max(4, concurrency) });
    const progress = new ProgressLine(this.context.stderr, Boolean((this.context.stderr as { isTTY?: boolean }).isTTY));
    try {
      const run = await createRestore({
        name,
        veleroNamespace: this.veleroNamespace(),
        store: location.store,
        client,
        concurrency,
        dryRun: this.dryRun,
        spec: {
          backupName: this.fromBackup,
          includedNamespaces: splitList(this.includeNamespaces),
          excludedNamespaces: splitList(this.excludeNamespaces),
          includedResources: splitList(this.includeResources),
          excludedResources: splitList(this.excludeResources),
          includeClusterResources: parseOptionalBool('--include-cluster-resources', this.includeClusterResources),
          namespaceMapping: parseNamespaceMappings(this.namespaceMappings),
          existingResourcePolicy: this.existingResourcePolicy as ExistingResourcePolicy,
          preserveNodePorts: this.preserveNodePorts,
        },
        onProgress: (done, total) => progress.update(`Restore in progress: ${done}/${total} items`),
      });
      progress.done();
      const { phase, warnings = 0, errors = 0, progress: counts, failureReason } = run.restore.status;
      if (this.dryRun) {
        for (const line of run.preview.sort()) this.context.stdout.write(`${line}\n`);
        const failing = run.preview.filter((l) => l.startsWith('fail')).length;
        this.context.stdout.write(`Dry run of restore from backup "${this.fromBackup}": ${failing ? `${failing} objects would fail` : 'the restore would succeed'}; nothing was changed.\n`);
        if (failureReason) this.context.stderr.write(`error: ${failureReason}\n`);
        return failing || phase === 'Failed' ? 1 : 0;
      }
      if (format !== 'table') this.context.stdout.write(renderStructured(run.restore, format));
      else {
        this.context.stdout.write(`Restore "${name}" from backup "${this.fromBackup}" ${phase === 'Completed' ? 'completed' : `finished with phase ${phase}`}: ${counts?.itemsRestored ?? 0} items restored, ${errors} errors, ${warnings} warnings.\n`);
        if (phase !== 'Completed') this.context.stdout.write(`Run \`kubectl velero restore describe ${name}\` and \`kubectl velero restore logs ${name}\` for details.\n`);
        if (failureReason) this.context.stderr.write(`error: ${failureReason}\n`);
      }
      return phase === 'Failed' || (phase === 'PartiallyFailed' && errors > 0) ? 1 : 0;
    } finally {
      client.close();
    }
  }
}
