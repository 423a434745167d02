import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { goTime } from '../backup/format-backup.ts';
import { openStoredRestores } from './get.ts';
import { backupKeys } from '../../../internal/backup/store-target.ts';
import { KubeHttpClient } from '../../../internal/kube/http-client.ts';
import { loadKubeConfig } from '../../../internal/kube/kubeconfig.ts';
import { checkFidelity } from '../../../internal/restore/fidelity.ts';
import { formatDifferences } from '../../../internal/restore/object-diff.ts';
import { StagedBackup } from '../../../internal/restore/staged-backup.ts';

export class RestoreDescribeCommand extends KubeCommand {
  static override paths = [['restore', 'describe']];

  static override usage = Command.Usage({
    category: 'Restore',
    description: 'show the details of a restore',
    details: 'Shows the restore\'s phase, filters, warnings and errors; `--details` adds every object and what happened to it (created, updated, skipped, failed). `--fidelity` reads every restored object back from the cluster and compares it with the backed-up original (after the documented restore transformations), listing any difference; it exits 1 when there is one.',
    examples: [
      ['Describe a restore with every object', 'kubectl velero restore describe shop-1-20261124101500 --details'],
      ['Check that the cluster holds what the backup held', 'kubectl velero restore describe shop-1-20261124101500 --fidelity'],
    ],
  });

  name = Option.String({ required: true, name: 'NAME' });
  details = Option.Boolean('--details', false, { description: 'list every restored object' });
  fidelity = Option.Boolean('--fidelity', false, { description: 'compare every restored object in the cluster with the backup' });
  storageLocation = Option.String('--storage-location', { description: 'the backup storage location (default: the default location)' });

  async run(): Promise<number> {
    const restores = await openStoredRestores(this.storageLocation);
    const r = await restores.get(this.name);
    const list = (v: string[] | undefined) => (v?.length ? v.join(', ') : '*');
    const out: string[] = [
      `Name:         ${r.metadata.name}`,
      `Namespace:    ${r.metadata.namespace}`,
      '',
      `Phase:  ${r.status.phase}`,
      ...(r.status.failureReason ? [`Failure reason:  ${r.status.failureReason}`] : []),
      '',
      `Total items to be restored:  ${r.status.progress?.totalItems ?? 0}`,
      `Items restored:              ${r.status.progress?.itemsRestored ?? 0}`,
      '',
      `Started:    ${goTime(r.status.startTimestamp)}`,
      `Completed:  ${goTime(r.status.completionTimestamp)}`,
      '',
      `Backup:  ${r.spec.backupName}`,
      '',
      'Namespaces:',
      `  Included:  ${list(r.spec.includedNamespaces)}`,
      `  Excluded:  ${r.spec.excludedNamespaces?.length ? r.spec.excludedNamespaces.join(', ') : '<none>'}`,
      '',
      'Resources:',
      `  Included:        ${list(r.spec.includedResources)}`,
      `  Excluded:        ${r.spec.excludedResources?.length ? r.spec.excludedResources.join(', ') : '<none>'}`,
      `  Cluster-scoped:  ${r.spec.includeClusterResources === undefined ? 'auto' : String(r.spec.includeClusterResources)}`,
      '',
      `Namespace mappings:  ${Object.entries(r.spec.namespaceMapping ?? {}).map(([a, b]) => `${a}=${b}`).join(', ') || '<none>'}`,
      `Existing resource policy:  ${r.spec.existingResourcePolicy ?? 'none'}`,
      `Preserve node ports:  ${r.spec.preserveNodePorts ? 'true' : 'false'}`,
    ];
    const results = await restores.results(this.name);
    for (const kind of ['warnings', 'errors'] as const) {
      const group = results?.[kind];
      const lines = [...(group?.velero ?? []).map((m) => `  Velero:   ${m}`), ...(group?.cluster ?? []).map((m) => `  Cluster:  ${m}`)];
      for (const [ns, msgs] of Object.entries(group?.namespaces ?? {})) for (const m of msgs) lines.push(`  Namespace ${ns}:  ${m}`);
      out.push('', `${kind === 'warnings' ? 'Warnings' : 'Errors'}:${lines.length ? '' : '  <none>'}`, ...lines);
    }
    if (this.details) {
      out.push('', 'Resource List:');
      const resources = (await restores.resourceList(this.name)) ?? {};
      for (const key of Object.keys(resources).sort()) out.push(`  ${key}:`, ...resources[key]!.map((i) => `    - ${i}`));
    }
    let exitCode = 0;
    if (this.fidelity) {
      const { openLocation } = await import('../../../internal/storage/locations.ts');
      const { store } = await openLocation(this.storageLocation);
      const staged = await StagedBackup.stage(await store.get(backupKeys(r.spec.backupName).tarball));
      const client = new KubeHttpClient(await loadKubeConfig(this.kubeTarget()));
      try {
        const report = await checkFidelity(r, (await restores.resourceList(this.name)) ?? {}, staged, client);
        out.push('', `Fidelity:  ${report.checked} objects checked, ${report.missing.length} missing, ${report.different.length} different`);
        for (const m of report.missing) out.push(`  missing:    ${m}`);
        for (const d of report.different) out.push(`  different:  ${d.object}`, ...formatDifferences(d.differences).map((l) => `    ${l}`));
        if (report.missing.length || report.different.length) exitCode = 1;
      } finally {
        client.close();
        await staged.dispose();
      }
    }
    this.context.stdout.write(`${out.join('\n')}\n`);
    return exitCode;
  }
}
