import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { safeText } from '../../../internal/text/quote.ts';
import { goTime } from '../backup/format-backup.ts';
import { openStoredRestores, selectorText } from './get.ts';
import { backupKeys } from '../../../internal/storage/layout.ts';
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import type { BackupResults } from '../../../internal/backup/results.ts';
import { KubeHttpClient } from '../../../internal/kube/http-client.ts';
import { loadKubeConfig } from '../../../internal/kube/kubeconfig.ts';
import { readClusterRestore } from '../../../internal/kube/velero-restores.ts';
import { checkFidelity } from '../../../internal/restore/fidelity.ts';
import { readVolumeSnapshots } from '../../../internal/snapshots/native-records.ts';
import { parseResourceModifiers } from '../../../internal/restore/modifiers/rules.ts';
import { formatDifferences } from '../../../internal/restore/object-diff.ts';
import type { Restore } from '../../../internal/restore/restore-object.ts';
import { StagedBackup } from '../../../internal/restore/staged-backup.ts';
import type { StoredRestores } from '../../../internal/restore/stored-restores.ts';

/** The body of `restore describe`, in the shape of Velero's output. */
export function describeRestore(r: Restore, results: BackupResults | undefined): string[] {
  const list = (v: string[] | undefined, empty = '*') => (v?.length ? v.join(', ') : empty);
  const out = [
    `Name:         ${r.metadata.name}`,
    `Namespace:    ${r.metadata.namespace}`,
    `Labels:       ${Object.entries(r.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join('\n              ') || '<none>'}`,
    '',
    `Phase:                       ${r.status.phase}${r.status.phase === 'Completed' || r.status.phase === 'InProgress' ? '' : ' (run `kubectl velero restore logs ' + r.metadata.name + '` for more information)'}`,
    `Total items to be restored:  ${r.status.progress?.totalItems ?? 0}`,
    `Items restored:              ${r.status.progress?.itemsRestored ?? 0}`,
    ...(r.status.validationErrors?.length ? ['', 'Validation errors:', ...r.status.validationErrors.map((e) => `  ${e}`)] : []),
    ...(r.status.failureReason ? ['', `Failure reason:  ${r.status.failureReason}`] : []),
    '',
    `Started:    ${goTime(r.status.startTimestamp)}`,
    `Completed:  ${goTime(r.status.completionTimestamp)}`,
  ];
  for (const kind of ['warnings', 'errors'] as const) {
    const group = results?.[kind];
    const lines = [...(group?.velero ?? []).map((m) => `    ${m}`)];
    if (group?.velero?.length) lines.unshift('  Velero:');
    if (group?.cluster?.length) lines.push('  Cluster:', ...group.cluster.map((m) => `    ${m}`));
    if (Object.keys(group?.namespaces ?? {}).length) {
      lines.push('  Namespaces:');
      for (const [ns, msgs] of Object.entries(group!.namespaces!)) lines.push(`    ${ns}:`, ...msgs.map((m) => `      ${m}`));
    }
    out.push('', `${kind === 'warnings' ? 'Warnings' : 'Errors'}:${lines.length ? '' : '  <none>'}`, ...lines);
  }
  const s = r.spec;
  out.push(
    '',
    `Backup:  ${s.backupName}`,
    ...(s.scheduleName ? [`Schedule:  ${s.scheduleName}`] : []),
    '',
    'Namespaces:',
    `  Included:  ${list(s.includedNamespaces, 'all namespaces found in the backup')}`,
    `  Excluded:  ${list(s.excludedNamespaces, '<none>')}`,
    '',
    'Resources:',
    `  Included:        ${list(s.includedResources)}`,
    `  Excluded:        ${list(s.excludedResources, 'nodes, events, events.events.k8s.io, backups.velero.io, restores.velero.io, resticrepositories.velero.io, csinodes.storage.k8s.io, volumeattachments.storage.k8s.io, backuprepositories.velero.io')}`,
    `  Cluster-scoped:  ${s.includeClusterResources === undefined ? 'auto' : s.includeClusterResources ? 'included' : 'excluded'}`,
    '',
    `Namespace mappings:  ${Object.entries(s.namespaceMapping ?? {}).map(([a, b]) => `${a}=${b}`).join(', ') || '<none>'}`,
    '',
    `Label selector:  ${s.labelSelector ? selectorText(r) : '<none>'}`,
    '',
    `Or label selector:  ${s.orLabelSelectors?.length ? selectorText(r) : '<none>'}`,
    '',
    `Restore PVs:  ${s.restorePVs === undefined ? 'auto' : String(s.restorePVs)}`,
    '',
    `Existing Resource Policy:   ${s.existingResourcePolicy ?? '<none>'}`,
    '',
    `Preserve Service NodePorts:  ${s.preserveNodePorts ? 'true' : 'auto'}`,
    '',
    `Restore status:  ${s.restoreStatus?.includedResources?.length ? `included ${list(s.restoreStatus.includedResources)}${s.restoreStatus.excludedResources?.length ? `, excluded ${list(s.restoreStatus.excludedResources)}` : ''}` : '<none>'}`,
    '',
    `Resource modifier:  ${s.resourceModifier ? `${s.resourceModifier.kind} ${s.resourceModifier.name}` : '<none>'}`,
  );
  return out;
}

export class RestoreDescribeCommand extends LocationCommand {
  static override paths = [['restore', 'describe']];

  static override usage = Command.Usage({
    category: 'Restore',
    description: 'show the details of a restore',
    details: "Shows the restore's phase, filters, warnings and errors; `--details` adds every object and what happened to it (created, updated, skipped, failed). `--fidelity` (beyond Velero) reads every object the restore created, updated or kept back from the cluster and compares it with the backed-up original after the documented restore transformations (namespace mapping, restore labels, item actions, the restore's modifier rules), ignoring only fields the server fills in; it lists each difference and exits 1 when there is one.",
    examples: [
      ['Describe a restore with every object', 'kubectl velero restore describe shop-1-20261124101500 --details'],
      ['Check that the cluster holds what the backup held', 'kubectl velero restore describe shop-1-20261124101500 --fidelity'],
    ],
  });

  name = Option.String({ required: true, name: 'NAME' });
  details = Option.Boolean('--details', false, { description: 'list every restored object' });
  fidelity = Option.Boolean('--fidelity', false, { description: 'compare every restored object in the cluster with the backup' });

  async run(): Promise<number> {
    const location = await this.openLocation();
    const restores = openStoredRestores(location);
    const r = await this.findRestore(restores);
    const out = describeRestore(r, await restores.results(this.name));
    if (this.details) {
      out.push('', 'Resource List:');
      const resources = (await restores.resourceList(this.name)) ?? {};
      for (const key of Object.keys(resources).sort()) out.push(`  ${key}:`, ...resources[key]!.map((i) => `    - ${i}`));
    }
    let exitCode = 0;
    if (this.fidelity) exitCode = await this.fidelityReport(r, restores, location.store, out);
    this.context.stdout.write(`${safeText(out.join('\n'))}\n`);
    return exitCode;
  }

  /**
   * Ours from the location; else one a stock Velero server made: its files are in the location, its
   * Restore object in the cluster's Velero namespace.
   */
  private async findRestore(restores: StoredRestores): Promise<Restore> {
    const stored = await restores.find(this.name);
    if (stored) return stored;
    if (await restores.hasFilesOnly(this.name)) {
      const client = new KubeHttpClient(await loadKubeConfig(this.kubeTarget()));
      try {
        const made = await readClusterRestore<Restore>(client, this.veleroNamespace(), this.name);
        if (made?.status) return made;
      } finally {
        client.close();
      }
    }
    return restores.get(this.name);
  }

  private async fidelityReport(r: Restore, restores: StoredRestores, store: ObjectStore, out: string[]): Promise<number> {
    if (r.status.phase === 'FailedValidation' || r.status.phase === 'InProgress') throw new Error(`restore "${r.metadata.name}" is ${r.status.phase}: there is nothing to check`);
    const rules = await restores.modifiersText(r.metadata.name);
    const modifiers = rules === undefined ? undefined : parseResourceModifiers(rules, `restore ${r.metadata.name}`);
    const staged = await StagedBackup.stage(await store.get(backupKeys(r.spec.backupName).tarball));
    const client = new KubeHttpClient(await loadKubeConfig(this.kubeTarget()));
    try {
      const natives = (await readVolumeSnapshots(store, r.spec.backupName)).filter((v) => v.status.providerSnapshotID);
      const report = await checkFidelity(r, (await restores.resourceList(r.metadata.name)) ?? {}, staged, client, modifiers, new Set(natives.map((v) => v.spec.persistentVolumeName)));
      out.push('', `Fidelity:  ${report.checked} objects checked, ${report.missing.length} missing, ${report.different.length} different`);
      for (const m of report.missing) out.push(`  missing:    ${m}`);
      for (const d of report.different) out.push(`  different:  ${d.object}`, ...formatDifferences(d.differences).map((l) => `    ${l}`));
      return report.missing.length || report.different.length ? 1 : 0;
    } finally {
      client.close();
      await staged.dispose();
    }
  }
}
