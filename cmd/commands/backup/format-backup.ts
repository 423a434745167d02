// How backups read for people: `backup get` rows and `backup describe` text, Velero's wording.
import type { Backup } from '../../../internal/backup/backup-object.ts';
import { formatLabelSelector } from '../../../internal/backup/label-selector.ts';
import type { BackupResults, ResultGroup } from '../../../internal/backup/results.ts';
import type { PodVolumeBackupRecord } from '../../../internal/volumes/records.ts';

export const GET_COLUMNS = ['NAME', 'STATUS', 'ERRORS', 'WARNINGS', 'CREATED', 'EXPIRES', 'STORAGE LOCATION', 'SELECTOR'];

/** Go's time.Time String() as Velero prints it: `2026-11-24 10:00:00 +0000 UTC`. */
export function goTime(iso: string | undefined): string {
  if (!iso) return '<n/a>';
  return `${iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '')} +0000 UTC`;
}

/** Velero's EXPIRES column: `29d`, `5h`, `12m`, `<invalid>` once past. */
export function expiresIn(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'n/a';
  const ms = Date.parse(iso) - now;
  if (ms < 0) return '<invalid>';
  const s = Math.floor(ms / 1000);
  if (s >= 86_400) return `${Math.floor(s / 86_400)}d`;
  if (s >= 3_600) return `${Math.floor(s / 3_600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

export function getRow(b: Backup, now = Date.now()): string[] {
  return [
    b.metadata.name,
    b.status.phase ?? '',
    String(b.status.errors ?? 0),
    String(b.status.warnings ?? 0),
    goTime(b.metadata.creationTimestamp ?? b.status.startTimestamp),
    expiresIn(b.status.expiration, now),
    b.spec.storageLocation ?? '',
    formatLabelSelector(b.spec.labelSelector),
  ];
}

const list = (items: string[] | undefined, empty = '*') => (items?.length ? items.join(', ') : empty);

function resultLines(title: string, group: ResultGroup): string[] {
  const lines: string[] = [];
  const add = (label: string, msgs: string[] | undefined) => {
    if (!msgs?.length) return;
    lines.push(`  ${label}:`);
    for (const m of msgs) lines.push(`    ${m}`);
  };
  add('Velero', group.velero);
  add('Cluster', group.cluster);
  for (const [ns, msgs] of Object.entries(group.namespaces ?? {}).sort()) add(`Namespace ${ns}`, msgs);
  return lines.length ? [`${title}:`, ...lines, ''] : [];
}

/** Velero's "Pod Volume Backups - <uploader>" block: counts by phase, or with --details the pods and volumes. */
export function podVolumeLines(records: PodVolumeBackupRecord[], details: boolean): string[] {
  if (!records.length) return ['  Pod Volume Backups:  <none included>'];
  const byPhase = new Map<string, PodVolumeBackupRecord[]>();
  for (const r of records) byPhase.set(r.status.phase, [...(byPhase.get(r.status.phase) ?? []), r]);
  const lines = [`  Pod Volume Backups - ${records[0]!.spec.uploaderType}${details ? '' : ' (specify --details for more information)'}:`];
  for (const [phase, rs] of [...byPhase].sort()) {
    if (!details) {
      lines.push(`    ${phase}:  ${rs.length}`);
      continue;
    }
    lines.push(`    ${phase}:`);
    for (const r of rs) lines.push(`      ${r.spec.pod.namespace}/${r.spec.pod.name}: ${r.spec.volume}${r.status.snapshotID ? ` (snapshot ${r.status.snapshotID}, ${r.status.progress.totalBytes} bytes)` : ''}${r.status.message ? ` — ${r.status.message}` : ''}`);
  }
  return lines;
}

export function describeBackup(b: Backup, extra: { results?: BackupResults; resourceList?: Record<string, string[]>; podVolumeBackups?: PodVolumeBackupRecord[]; details: boolean }): string {
  const s = b.spec;
  const lines = [
    `Name:         ${b.metadata.name}`,
    `Namespace:    ${b.metadata.namespace}`,
    `Labels:       ${Object.entries(b.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join('\n              ') || '<none>'}`,
    `Annotations:  ${Object.entries(b.metadata.annotations ?? {}).map(([k, v]) => `${k}=${v}`).join('\n              ') || '<none>'}`,
    '',
    `Phase:  ${b.status.phase ?? ''}`,
    '',
    ...(b.status.failureReason ? [`Failure reason:  ${b.status.failureReason}`, ''] : []),
    `Errors:    ${b.status.errors ?? 0}`,
    `Warnings:  ${b.status.warnings ?? 0}`,
    '',
    'Namespaces:',
    `  Included:  ${list(s.includedNamespaces)}`,
    `  Excluded:  ${list(s.excludedNamespaces, '<none>')}`,
    '',
    'Resources:',
    ...(s.includedResources || s.excludedResources || s.includeClusterResources !== undefined
      ? [`  Included:        ${list(s.includedResources)}`, `  Excluded:        ${list(s.excludedResources, '<none>')}`, `  Cluster-scoped:  ${s.includeClusterResources === undefined ? 'auto' : s.includeClusterResources ? 'included' : 'excluded'}`]
      : [
          `  Included cluster-scoped:    ${list(s.includedClusterScopedResources, '<none>')}`,
          `  Excluded cluster-scoped:    ${list(s.excludedClusterScopedResources, '<none>')}`,
          `  Included namespace-scoped:  ${list(s.includedNamespaceScopedResources)}`,
          `  Excluded namespace-scoped:  ${list(s.excludedNamespaceScopedResources, '<none>')}`,
        ]),
    '',
    `Label selector:  ${formatLabelSelector(s.labelSelector)}`,
    `Or label selector:  ${s.orLabelSelectors?.map((x) => formatLabelSelector(x)).join(' or ') || '<none>'}`,
    '',
    `Storage Location:  ${s.storageLocation ?? ''}`,
    '',
    `TTL:  ${s.ttl ?? ''}`,
    '',
    `Started:    ${goTime(b.status.startTimestamp)}`,
    `Completed:  ${goTime(b.status.completionTimestamp)}`,
    '',
    `Expiration:  ${goTime(b.status.expiration)}`,
    '',
    `Total items to be backed up:  ${b.status.progress?.totalItems ?? 0}`,
    `Items backed up:              ${b.status.progress?.itemsBackedUp ?? 0}`,
    '',
    'Backup Volumes:',
    '  Velero-Native Snapshots: <none included>',
    '',
    ...podVolumeLines(extra.podVolumeBackups ?? [], extra.details),
    '',
  ];
  if (extra.details) {
    if (extra.results) lines.push(...resultLines('Errors', extra.results.errors), ...resultLines('Warnings', extra.results.warnings));
    if (extra.resourceList) {
      lines.push('Resource List:');
      for (const [key, items] of Object.entries(extra.resourceList)) {
        lines.push(`  ${key}:`);
        for (const item of items) lines.push(`    - ${item}`);
      }
      lines.push('');
    }
  } else {
    lines.push('Resource List:  <backup resource list not shown; use --details>', '');
  }
  return `${lines.join('\n')}`;
}
