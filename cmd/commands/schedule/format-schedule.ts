// How schedules read for people: `schedule get` rows and `schedule describe` text, in the shape of
// Velero's schedule printer and describer (plus when the next backup is due: with no server, that
// is what a user wants to know).
import type { BackupSpec } from '../../../internal/backup/backup-object.ts';
import { formatLabelSelector } from '../../../internal/backup/label-selector.ts';
import { usesOldResourceFilters } from '../../../internal/backup/spec.ts';
import { BadCronError, parseCron } from '../../../internal/schedule/cron.ts';
import { dueTime } from '../../../internal/schedule/due.ts';
import type { Schedule } from '../../../internal/schedule/schedule-object.ts';
import { goTime, type HookResource } from '../backup/format-backup.ts';

export const SCHEDULE_COLUMNS = ['NAME', 'STATUS', 'CREATED', 'SCHEDULE', 'BACKUP TTL', 'LAST BACKUP', 'SELECTOR', 'PAUSED'];

/** Kubernetes' ShortHumanDuration, which Velero's LAST BACKUP column uses. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Velero's humanReadableTimeFromNow: `5m ago`, `n/a` for never. */
export function timeFromNow(iso: string | undefined, now: number): string {
  if (!iso) return 'n/a';
  const at = Date.parse(iso);
  return at >= now ? shortHumanDuration(at - now) : `${shortHumanDuration(now - at)} ago`;
}

export function scheduleRow(s: Schedule, now = Date.now()): string[] {
  return [
    s.metadata.name,
    s.status.phase || 'New',
    goTime(s.metadata.creationTimestamp),
    s.spec.schedule,
    s.spec.template.ttl ?? '0s',
    timeFromNow(s.status.lastBackup, now),
    formatLabelSelector(s.spec.template.labelSelector),
    String(Boolean(s.spec.paused)),
  ];
}

/** A `key:\tvalue` line at an indent; consecutive ones at the same indent line their values up, as Go's tabwriter does. */
type Row = string | [indent: number, key: string, value: string];

function aligned(rows: Row[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; ) {
    const row = rows[i]!;
    if (typeof row === 'string') {
      out.push(row);
      i++;
      continue;
    }
    let end = i;
    for (let next = rows[end]; next !== undefined && typeof next !== 'string' && next[0] === row[0]; next = rows[end]) end++;
    const block = rows.slice(i, end) as [number, string, string][];
    const width = Math.max(...block.map(([, key]) => key.length)) + 2;
    for (const [indent, key, value] of block) {
      const pad = ' '.repeat(indent);
      out.push(`${pad}${key.padEnd(width)}${value.split('\n').join(`\n${pad}${' '.repeat(width)}`)}`);
    }
    i = end;
  }
  return out;
}

const listOr = (items: string[] | undefined, empty: string) => (items?.length ? items.join(', ') : empty);
const boolText = (b: boolean | undefined, no: string, yes: string, unset: string) => (b === undefined ? unset : b ? yes : no);
const mapText = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).map(([k, v]) => `${k}=${v}`).join('\n') || '<none>';

function hookRows(spec: BackupSpec, at: number): Row[] {
  const resources = (spec.hooks?.resources ?? []) as HookResource[];
  if (!resources.length) return [[at, 'Hooks:', '<none>']];
  const rows: Row[] = [`${' '.repeat(at)}Hooks:`, `${' '.repeat(at + 2)}Resources:`];
  const i = at + 4;
  for (const r of resources) {
    rows.push(`${' '.repeat(i)}${r.name ?? ''}:`, `${' '.repeat(i + 2)}Namespaces:`);
    rows.push([i + 4, 'Included:', listOr(r.includedNamespaces, '*')], [i + 4, 'Excluded:', listOr(r.excludedNamespaces, '<none>')], '', `${' '.repeat(i + 2)}Resources:`);
    rows.push([i + 4, 'Included:', listOr(r.includedResources, '*')], [i + 4, 'Excluded:', listOr(r.excludedResources, '<none>')], '');
    rows.push([i + 2, 'Label selector:', formatLabelSelector(r.labelSelector)]);
    for (const [title, hooks] of [['Pre Exec Hook:', r.pre], ['Post Exec Hook:', r.post]] as const) {
      for (const h of hooks ?? []) {
        if (!h.exec) continue;
        rows.push('', `${' '.repeat(i + 2)}${title}`);
        rows.push([i + 4, 'Container:', h.exec.container ?? ''], [i + 4, 'Command:', (h.exec.command ?? []).join(' ')], [i + 4, 'On Error:', h.exec.onError ?? ''], [i + 4, 'Timeout:', h.exec.timeout ?? '']);
      }
    }
  }
  return rows;
}

/** Velero's DescribeBackupSpec, as the schedule's "Backup Template", indented by `at`. */
function templateRows(spec: BackupSpec, at: number): Row[] {
  const head = (text: string): Row => `${' '.repeat(at)}${text}`;
  const rows: Row[] = [head('Namespaces:'), [at + 2, 'Included:', listOr(spec.includedNamespaces, '*')], [at + 2, 'Excluded:', listOr(spec.excludedNamespaces, '<none>')], '', head('Resources:')];
  if (usesOldResourceFilters(spec)) {
    rows.push([at + 2, 'Included:', listOr(spec.includedResources, '*')], [at + 2, 'Excluded:', listOr(spec.excludedResources, '<none>')], [at + 2, 'Cluster-scoped:', boolText(spec.includeClusterResources, 'excluded', 'included', 'auto')]);
  } else {
    rows.push(
      [at + 2, 'Included cluster-scoped:', listOr(spec.includedClusterScopedResources, '<none>')],
      [at + 2, 'Excluded cluster-scoped:', listOr(spec.excludedClusterScopedResources, '<none>')],
      [at + 2, 'Included namespace-scoped:', listOr(spec.includedNamespaceScopedResources, '*')],
      [at + 2, 'Excluded namespace-scoped:', listOr(spec.excludedNamespaceScopedResources, '<none>')],
    );
  }
  rows.push('', [at, 'Label selector:', formatLabelSelector(spec.labelSelector)], '');
  rows.push([at, 'Or label selector:', spec.orLabelSelectors?.length ? spec.orLabelSelectors.map((s) => formatLabelSelector(s)).join(' or ') : '<none>'], '');
  rows.push([at, 'Storage Location:', spec.storageLocation ?? ''], '');
  rows.push([at, 'Velero-Native Snapshot PVs:', boolText(spec.snapshotVolumes, 'false', 'true', 'auto')]);
  if (spec.defaultVolumesToFsBackup !== undefined) rows.push([at, 'File System Backup (Default):', String(spec.defaultVolumesToFsBackup)]);
  rows.push([at, 'Snapshot Move Data:', boolText(spec.snapshotMoveData, 'false', 'true', 'auto')], [at, 'Data Mover:', 'velero'], '');
  rows.push([at, 'TTL:', spec.ttl ?? ''], '');
  rows.push([at, 'CSISnapshotTimeout:', spec.csiSnapshotTimeout ?? ''], [at, 'ItemOperationTimeout:', spec.itemOperationTimeout ?? ''], '');
  rows.push(...hookRows(spec, at));
  if (spec.orderedResources) {
    rows.push('', head('OrderedResources:'));
    for (const [kind, items] of Object.entries(spec.orderedResources)) rows.push(`${' '.repeat(at + 2)}${kind}: ${items}`);
  }
  return rows;
}

/** When `schedule run` takes the next backup, in words. */
function nextBackup(s: Schedule, now: number): string {
  if (s.spec.paused) return '<paused>';
  let due: Date | undefined;
  try {
    due = dueTime(s, parseCron(s.spec.schedule));
  } catch (error) {
    if (error instanceof BadCronError) return '<invalid schedule>';
    throw error;
  }
  if (!due) return '<never>';
  return due.getTime() <= now ? 'due now (at the next `kubectl velero schedule run`)' : goTime(due.toISOString());
}

export function describeSchedule(s: Schedule, now = Date.now()): string {
  const rows: Row[] = [
    [0, 'Name:', s.metadata.name],
    [0, 'Namespace:', s.metadata.namespace],
    [0, 'Labels:', mapText(s.metadata.labels)],
    [0, 'Annotations:', mapText(s.metadata.annotations)],
    '',
    [0, 'Phase:', s.status.phase || 'New'],
  ];
  if (s.status.validationErrors?.length) rows.push('', 'Validation errors:', ...s.status.validationErrors.map((e) => `  ${e}`));
  rows.push('', [0, 'Paused:', String(Boolean(s.spec.paused))], '', [0, 'Schedule:', s.spec.schedule], '', 'Backup Template:', ...templateRows(s.spec.template, 2), '');
  rows.push([0, 'Last Backup:', s.status.lastBackup ? goTime(s.status.lastBackup) : '<never>']);
  if (s.status.lastSkipped) rows.push([0, 'Last Skipped:', goTime(s.status.lastSkipped)]);
  rows.push([0, 'Next Backup:', nextBackup(s, now)]);
  return `${aligned(rows).join('\n')}\n`;
}
