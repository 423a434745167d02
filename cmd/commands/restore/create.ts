import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { BadFlagValueError, parseByteSize, parseCount, parseKeyValues, ProgressLine } from '../backup/flags.ts';
import { loadKubeConfig } from '../../../internal/kube/kubeconfig.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { readEncryptionKey } from '../volume-options.ts';
import { nativeSnapshotStep } from './snapshot-steps.ts';
import { veleroVolumesStep, volumeRestoreStep } from './volume-steps.ts';
import { readHooksFile } from '../hooks-file.ts';
import { restoreHookStep } from './hook-steps.ts';
import { createRestore, latestScheduledBackup } from '../../../internal/restore/create-restore.ts';
import { defaultRestoreName } from '../../../internal/restore/restore-object.ts';
import { StoredBackups } from '../../../internal/backup/stored-backups.ts';
import { firstErrors } from '../results-lines.ts';
import { API_RECONNECT_TIMEOUT_DESCRIPTION, connectForRun } from '../api-connection.ts';
import { buildRestoreSpec, readModifierRules } from './restore-flags.ts';
import { safeLine } from '../../../internal/text/quote.ts';

export { parseNamespaceMappings } from './restore-flags.ts';

export class RestoreCreateCommand extends LocationCommand {
  static override paths = [['restore', 'create']];

  static override usage = Command.Usage({
    category: 'Restore',
    description: 'restore a backup into the current cluster',
    details: `Creates the backup's objects in the cluster of the current kubeconfig context (or \`--context\`), with your credentials, in Velero's priority order (CRDs — waited for until served — namespaces, storage classes, volumes, claims, RBAC, secrets, config maps, … pods late, then everything else), applying Velero's restore item actions, filters and resource modifier rules. Objects that already exist are compared, not overwritten: a difference is a warning unless \`--existing-resource-policy=update\`. Restoring into another cluster, with \`--namespace-mappings\`, is how workloads migrate.

\`--dry-run\` previews the restore: every create and update is sent as a server-side dry run (nothing changes) and each object is listed as create, update (with what differs), unchanged or skip (and why); the command exits 1 if the real restore would fail.

The restore runs in this process (\`--wait\` is implied); its Restore object, log, results and resource list are stored under restores/NAME/ in the storage location.`,
    examples: [
      ['Restore a backup', 'kubectl velero restore create --from-backup shop-1'],
      ['Preview a restore without changing anything', 'kubectl velero restore create --from-backup shop-1 --dry-run'],
      ['Migrate namespace shop into shop-b on another cluster', 'kubectl velero restore create --from-backup shop-1 --namespace-mappings shop:shop-b --context cluster-b'],
      ['Restore only labelled objects, overwriting what differs', 'kubectl velero restore create --from-backup shop-1 -l app=web --existing-resource-policy update'],
      ['Restore with resource modifier rules from a file', 'kubectl velero restore create --from-backup shop-1 --resource-modifiers rules.yaml'],
    ],
  });

  name = Option.String({ required: false, name: 'NAME' });
  fromBackup = Option.String('--from-backup', { description: 'the backup to restore' });
  fromSchedule = Option.String('--from-schedule', { description: "restore the schedule's most recent Completed backup" });
  allowPartiallyFailed = Option.Boolean('--allow-partially-failed', false, { description: 'with --from-schedule, also consider PartiallyFailed backups' });
  includeNamespaces = Option.Array('--include-namespaces', { description: 'namespaces to restore (default *)' });
  excludeNamespaces = Option.Array('--exclude-namespaces', { description: 'namespaces not to restore' });
  includeResources = Option.Array('--include-resources', { description: 'resources to restore (resource or resource.group)' });
  excludeResources = Option.Array('--exclude-resources', { description: 'resources not to restore' });
  includeClusterResources = Option.String('--include-cluster-resources', { tolerateBoolean: true, description: 'restore cluster-scoped resources: true, false, or unset for auto' });
  namespaceMappings = Option.String('--namespace-mappings', { description: 'restore namespaces under new names: old:new,old2:new2' });
  selector = Option.String('-l,--selector', { description: 'only restore objects matching this label selector' });
  orSelector = Option.String('--or-selector', { description: 'restore objects matching any of these selectors: "a=b or c=d"' });
  statusInclude = Option.Array('--status-include-resources', { description: 'resources whose backed-up status is restored too' });
  statusExclude = Option.Array('--status-exclude-resources', { description: 'resources whose status is not restored' });
  existingResourcePolicy = Option.String('--existing-resource-policy', { description: 'objects that exist and differ: none (warn, default) or update' });
  preserveNodePorts = Option.Boolean('--preserve-nodeports', false, { description: 'keep the node ports of Services' });
  restoreVolumes = Option.String('--restore-volumes', { tolerateBoolean: true, description: 'restore volumes from snapshots (recorded in the spec)' });
  resourceModifierConfigMap = Option.String('--resource-modifier-configmap', { description: 'a ConfigMap in the Velero namespace holding resource modifier rules' });
  resourceModifiers = Option.String('--resource-modifiers', { description: 'a local file of resource modifier rules (beyond Velero: no ConfigMap needed)' });
  labels = Option.String('--labels', { description: 'labels for the Restore: key=value,key2=value2' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'preview: server-side dry run of every create/update, nothing changes' });
  concurrency = Option.String('--concurrency', '8', { description: 'how many objects of one resource are created at once' });
  wait = Option.Boolean('-w,--wait', false, { description: 'wait for the restore to finish (always: it runs in this process)' });
  output = Option.String('-o,--output', { description: 'print the Restore object as json or yaml when done' });

  hooksFile = Option.String('--hooks-file', { description: "Velero's restore hooks spec (YAML/JSON: resources with postHooks of exec or init); pod annotations still take priority" });
  encryptionKeyFile = Option.String('--encryption-key-file', { description: 'the key file the backup\'s volume data was encrypted with' });
  maxItemSize = Option.String('--max-item-size', { description: 'largest item of the backup accepted (default 4Mi; the API server takes at most 3Mi per object)' });
  maxArchiveEntries = Option.String('--max-archive-entries', { description: 'most entries the backup archive may hold (default 1000000)' });
  maxArchiveSize = Option.String('--max-archive-size', { description: 'most bytes the backup archive may expand to when staged (default 16Gi)' });
  apiReconnectTimeout = Option.String('--api-reconnect-timeout', { description: API_RECONNECT_TIMEOUT_DESCRIPTION });
  volumeHelperImage = Option.String('--volume-helper-image', { description: 'image of the restore-wait init container that receives volume data (needs sh, tar, touch; default busybox:1.36)' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const archiveLimits = {
      maxEntryBytes: parseByteSize('--max-item-size', this.maxItemSize),
      maxEntries: parseCount('--max-archive-entries', this.maxArchiveEntries),
      maxTotalBytes: parseByteSize('--max-archive-size', this.maxArchiveSize),
    };
    const concurrency = Number(this.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new BadFlagValueError(`invalid --concurrency "${this.concurrency}": use a whole number of at least 1`);
    if (!this.fromBackup === !this.fromSchedule) throw new BadFlagValueError('either --from-backup or --from-schedule must be given (not both)');
    const location = await this.openLocation();
    let backupName = this.fromBackup;
    if (this.fromSchedule) {
      const backup = latestScheduledBackup(await new StoredBackups(location.store).list(), this.fromSchedule, this.allowPartiallyFailed);
      if (!backup) throw new Error(`no Completed backup of schedule "${this.fromSchedule}" in ${location.store.describe()}${this.allowPartiallyFailed ? '' : ' (add --allow-partially-failed to consider PartiallyFailed ones)'}`);
      backupName = backup.metadata.name;
    }
    const spec = buildRestoreSpec({
      backupName: backupName!, scheduleName: this.fromSchedule, includeNamespaces: this.includeNamespaces, excludeNamespaces: this.excludeNamespaces,
      includeResources: this.includeResources, excludeResources: this.excludeResources, includeClusterResources: this.includeClusterResources,
      namespaceMappings: this.namespaceMappings, selector: this.selector, orSelector: this.orSelector, statusIncludeResources: this.statusInclude,
      statusExcludeResources: this.statusExclude, existingResourcePolicy: this.existingResourcePolicy, preserveNodePorts: this.preserveNodePorts,
      restoreVolumes: this.restoreVolumes, resourceModifierConfigMap: this.resourceModifierConfigMap,
    });
    const hooks = readHooksFile(this.hooksFile);
    if (hooks) spec.hooks = hooks;
    const name = this.name ?? defaultRestoreName(this.fromSchedule ?? backupName!);
    const kc = await loadKubeConfig(this.kubeTarget());
    const progress = new ProgressLine(this.context.stderr, Boolean((this.context.stderr as { isTTY?: boolean }).isTTY));
    const { client, close } = await connectForRun(kc, { concurrency, reconnectTimeout: this.apiReconnectTimeout, note: (line) => progress.note(safeLine(line)) });
    try {
      const modifiers = await readModifierRules(this.resourceModifiers, this.resourceModifierConfigMap, this.veleroNamespace(), async () => client);
      // What restored pods wait for (volume data, hooks) is told as it changes, escaped: it quotes the cluster.
      const waiting = (line: string) => progress.note(`waiting: ${safeLine(line)}`);
      const volumes = this.dryRun || spec.restorePVs === false ? undefined : await volumeRestoreStep({ kc, client, store: location.store, backupName: backupName!, encryptionKey: readEncryptionKey(this.encryptionKeyFile), helperImage: this.volumeHelperImage, onWaiting: waiting });
      const veleroVolumes = this.dryRun ? undefined : await veleroVolumesStep(location.store, backupName!);
      const nativeSnapshots = this.dryRun || spec.restorePVs === false ? undefined : await nativeSnapshotStep(location.store, backupName!, client, this.veleroNamespace());
      const run = await createRestore({
        // Hooks first: the volume step then puts its restore-wait container before their init containers.
        podSteps: (log) => [restoreHookStep(spec, kc, client, log, waiting), ...(volumes ? [volumes.step(log)] : []), ...(veleroVolumes ? [veleroVolumes] : [])],
        claimsWithVolumeData: volumes?.claims,
        nativeSnapshots,
        archiveLimits, name, veleroNamespace: this.veleroNamespace(), store: location.store, client, concurrency, dryRun: this.dryRun, spec, modifiers,
        labels: parseKeyValues('--labels', this.labels),
        onProgress: (done, total) => progress.update(() => `Restore ${this.dryRun ? 'preview' : 'in progress'}: ${done}/${total} items`),
      });
      progress.done();
      const { phase, warnings = 0, errors = 0, progress: counts, failureReason, validationErrors } = run.restore.status;
      for (const e of validationErrors ?? []) this.context.stderr.write(`error: ${safeLine(e)}\n`);
      if (failureReason) this.context.stderr.write(`error: ${safeLine(failureReason)}\n`);
      if (this.dryRun) {
        for (const line of [...run.preview].sort(byObject)) this.context.stdout.write(`${line.split('\n').map((l) => safeLine(l)).join('\n')}\n`);
        const failing = run.preview.filter((l) => l.startsWith('fail')).length;
        const verdict = phase === 'Failed' || phase === 'FailedValidation' ? `the restore would fail (${phase})` : failing ? `${failing} objects would fail` : 'the restore would succeed';
        this.context.stdout.write(`Dry run of restore from backup "${backupName}": ${verdict}; nothing was changed.\n`);
        return failing || phase !== 'Completed' ? 1 : 0;
      }
      if (format !== 'table') this.context.stdout.write(renderStructured(run.restore, format));
      else {
        this.context.stdout.write(`Restore "${name}" from backup "${backupName}" ${phase === 'Completed' ? 'completed' : `finished with phase ${phase}`}: ${counts?.itemsRestored ?? 0} items restored, ${errors} errors, ${warnings} warnings.\n`);
        if (phase !== 'Completed') {
          if (phase === 'PartiallyFailed') for (const line of firstErrors(run.results.toJSON().errors, 5)) this.context.stderr.write(`error: ${line}\n`);
          this.context.stdout.write(`Run \`kubectl velero restore describe ${name}\` and \`kubectl velero restore logs ${name}\` for details.\n`);
        }
      }
      return phase === 'Completed' ? 0 : 1;
    } finally {
      progress.done();
      close();
    }
  }
}

/** Preview lines sorted by object (`create     configmaps shop/a` → `configmaps shop/a`), so an object's verdicts read together. */
function byObject(a: string, b: string): number {
  const key = (l: string) => l.slice(11);
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
