// How backups read for people: `backup get` rows and `backup describe` text, Velero's wording.
// describeBackup follows Velero v1.18's DescribeBackup (pkg/cmd/util/output/backup_describer.go)
// section by section, so its text can be compared with `velero backup describe` line for line.
import type { BackupOperation, BackupVolumeInfo } from '../../../internal/snapshots/volume-info.ts';
import { describeItemOperations, describeSnapshots } from './format-volumes.ts';
import type { Backup, BackupSpec } from '../../../internal/backup/backup-object.ts';
import { formatDuration, parseDuration } from '../../../internal/backup/duration.ts';
import { formatLabelSelector, type LabelSelector } from '../../../internal/backup/label-selector.ts';
import type { BackupResults, ResultGroup } from '../../../internal/backup/results.ts';
import { usesOldResourceFilters } from '../../../internal/backup/spec.ts';
import { Describer } from '../../../internal/text/describer.ts';
import type { PodVolumeBackupRecord } from '../../../internal/volumes/records.ts';

// Velero's columns; QUEUE POSITION is a Velero server's queue, which we never have: always empty.
export const GET_COLUMNS = ['NAME', 'STATUS', 'ERRORS', 'WARNINGS', 'CREATED', 'EXPIRES', 'STORAGE LOCATION', 'QUEUE POSITION', 'SELECTOR'];

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
    b.status.queuePosition ? String(b.status.queuePosition) : '',
    formatLabelSelector(b.spec.labelSelector),
  ];
}

/** Spec and status fields Velero's own backups may carry and ours never write, read to describe those too. */
interface VeleroOnlyFields {
  spec: { datamover?: string; resourcePolicy?: { kind?: string; name?: string }; uploaderConfig?: { parallelFilesUpload?: number } };
}

interface ExecHook {
  exec?: { container?: string; command?: string[]; onError?: string; timeout?: string };
}

/** A hook spec as a backup's (or schedule's) template holds it: every field optional, read as written. */
export interface HookResource {
  name?: string;
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  labelSelector?: LabelSelector;
  pre?: ExecHook[];
  post?: ExecHook[];
}

const GLOBAL_VOLUME_POLICY_ANNOTATION = 'velero.io/global-backup-volume-policy-configmap';

const joined = (items: string[] | undefined, empty: string) => (items?.length ? items.join(', ') : empty);
/** Velero's BoolPointerString. */
const boolText = (b: boolean | undefined, no: string, yes: string, unset: string) => (b === undefined ? unset : b ? yes : no);

/** A metav1.Duration as Go prints it: `0s` when unset, `10m` read back as `10m0s`. */
function goDuration(text: string | undefined): string {
  if (text === undefined) return '0s';
  try {
    return formatDuration(parseDuration(text));
  } catch {
    return text;
  }
}

/** describeResult: one of the results file's groups, as `Warnings:` or `Errors:`. */
function describeResult(d: Describer, title: string, group: ResultGroup | undefined): void {
  d.out`${title}:\n`;
  d.slice(1, 'Velero', group?.velero);
  d.slice(1, 'Cluster', group?.cluster);
  const namespaces = Object.entries(group?.namespaces ?? {});
  if (!namespaces.length) return d.out`\tNamespaces: <none>\n`;
  d.out`\tNamespaces:\n`;
  // Velero walks a Go map here (any order); sorted, the same backup reads the same each time.
  for (const [ns, msgs] of namespaces.sort(([a], [b]) => (a < b ? -1 : 1))) d.slice(2, ns, msgs);
}

/**
 * DescribeBackupResults: nothing when the backup has no warnings or errors; the messages of the
 * results file when it has; only the counts when the backup has no results file.
 */
function describeResults(d: Describer, b: Backup, results: BackupResults | undefined): void {
  const warnings = b.status.warnings ?? 0;
  const errors = b.status.errors ?? 0;
  if (!warnings && !errors) return;
  if (!results) return d.out`Errors:\t${errors}\nWarnings:\t${warnings}\n`;
  if (warnings) {
    d.out`\n`;
    describeResult(d, 'Warnings', results.warnings);
  }
  if (errors) {
    d.out`\n`;
    describeResult(d, 'Errors', results.errors);
  }
}

function describeHooks(d: Describer, spec: BackupSpec): void {
  const resources = (spec.hooks?.resources ?? []) as HookResource[];
  if (!resources.length) return d.out`Hooks:\t<none>\n`;
  d.out`Hooks:\n\tResources:\n`;
  for (const r of resources) {
    d.out`\t\t${r.name ?? ''}:\n`;
    d.out`\t\t\tNamespaces:\n\t\t\t\tIncluded:\t${joined(r.includedNamespaces, '*')}\n\t\t\t\tExcluded:\t${joined(r.excludedNamespaces, '<none>')}\n`;
    d.out`\n\t\t\tResources:\n\t\t\t\tIncluded:\t${joined(r.includedResources, '*')}\n\t\t\t\tExcluded:\t${joined(r.excludedResources, '<none>')}\n`;
    d.out`\n\t\t\tLabel selector:\t${formatLabelSelector(r.labelSelector)}\n`;
    for (const [title, hooks] of [['Pre', r.pre], ['Post', r.post]] as const) {
      for (const { exec } of hooks ?? []) {
        if (!exec) continue;
        d.out`\n\t\t\t${title} Exec Hook:\n`;
        d.out`\t\t\t\tContainer:\t${exec.container ?? ''}\n\t\t\t\tCommand:\t${(exec.command ?? []).join(' ')}\n`;
        d.out`\t\t\t\tOn Error:\t${exec.onError ?? ''}\n\t\t\t\tTimeout:\t${goDuration(exec.timeout)}\n`;
      }
    }
  }
}

/** DescribeBackupSpec: what was asked for, with Velero's words for what was left unset. */
function describeSpec(d: Describer, spec: BackupSpec & VeleroOnlyFields['spec']): void {
  d.out`Namespaces:\n\tIncluded:\t${joined(spec.includedNamespaces, '*')}\n\tExcluded:\t${joined(spec.excludedNamespaces, '<none>')}\n`;
  d.out`\nResources:\n`;
  if (usesOldResourceFilters(spec)) {
    d.out`\tIncluded:\t${joined(spec.includedResources, '*')}\n\tExcluded:\t${joined(spec.excludedResources, '<none>')}\n`;
    d.out`\tCluster-scoped:\t${boolText(spec.includeClusterResources, 'excluded', 'included', 'auto')}\n`;
  } else {
    d.out`\tIncluded cluster-scoped:\t${joined(spec.includedClusterScopedResources, '<none>')}\n`;
    d.out`\tExcluded cluster-scoped:\t${joined(spec.excludedClusterScopedResources, '<none>')}\n`;
    d.out`\tIncluded namespace-scoped:\t${joined(spec.includedNamespaceScopedResources, '*')}\n`;
    d.out`\tExcluded namespace-scoped:\t${joined(spec.excludedNamespaceScopedResources, '<none>')}\n`;
  }
  d.out`\nLabel selector:\t${formatLabelSelector(spec.labelSelector)}\n`;
  d.out`\nOr label selector:\t${spec.orLabelSelectors?.length ? spec.orLabelSelectors.map((s) => formatLabelSelector(s)).join(' or ') : '<none>'}\n`;
  d.out`\nStorage Location:\t${spec.storageLocation ?? ''}\n`;
  d.out`\nVelero-Native Snapshot PVs:\t${boolText(spec.snapshotVolumes, 'false', 'true', 'auto')}\n`;
  if (spec.defaultVolumesToFsBackup !== undefined) d.out`File System Backup (Default):\t${spec.defaultVolumesToFsBackup}\n`;
  d.out`Snapshot Move Data:\t${boolText(spec.snapshotMoveData, 'false', 'true', 'auto')}\n`;
  d.out`Data Mover:\t${spec.datamover || 'velero'}\n`;
  d.out`\nTTL:\t${goDuration(spec.ttl)}\n`;
  d.out`\nCSISnapshotTimeout:\t${goDuration(spec.csiSnapshotTimeout)}\nItemOperationTimeout:\t${goDuration(spec.itemOperationTimeout)}\n`;
  d.out`\n`;
  describeHooks(d, spec);
  if (spec.orderedResources !== undefined) {
    d.out`\nOrderedResources:\n`;
    // A Go map in Velero (any order); sorted here so the text is stable.
    for (const [kind, names] of Object.entries(spec.orderedResources).sort(([a], [b]) => (a < b ? -1 : 1))) d.out`\t${kind}: ${names}\n`;
  }
}

/** describeBackupResourceList: every item by group/version/kind, kinds sorted as Velero sorts them. */
function describeResourceList(d: Describer, list: Record<string, string[]> | undefined): void {
  if (!list) return d.out`Resource List:\t<backup resource list not found>\n`;
  d.out`Resource List:\n`;
  for (const kind of Object.keys(list).sort()) {
    d.out`\t${kind}:\n`;
    for (const item of list[kind]!.length ? list[kind]! : ['']) d.out`\t\t- ${item}\n`;
  }
}

// Velero's order of the pod volume backup phases, and the group each phase is counted in.
const PHASE_ORDER = ['Completed', 'Failed', 'Canceled', 'In Progress', 'Canceling', 'Prepared', 'Accepted', 'New'];
const PHASE_GROUP: Record<string, string> = { InProgress: 'In Progress', '': 'New' };
const phaseGroup = (phase: string) => PHASE_GROUP[phase] ?? phase;

/** describePodVolumeBackups: our file-system volume backups (records in PodVolumeBackup's shape), counts by phase or with details the volumes of each pod. */
function describePodVolumes(d: Describer, records: PodVolumeBackupRecord[], details: boolean): void {
  if (!records.length) return d.out`\tPod Volume Backups: <none included>\n`;
  // One uploader per backup, so the first record names it.
  const uploader = records[0]!.spec.uploaderType;
  if (details) d.out`\tPod Volume Backups - ${uploader}:\n`;
  else d.out`\tPod Volume Backups - ${uploader} (specify --details for more information):\n`;
  for (const phase of PHASE_ORDER) {
    const inPhase = records.filter((r) => phaseGroup(r.status.phase) === phase);
    if (!inPhase.length) continue;
    if (!details) {
      d.out`\t\t${phase}:\t${inPhase.length}\n`;
      continue;
    }
    const byPod = new Map<string, string[]>();
    for (const r of inPhase) {
      // Velero's own records may lack progress.
      const size = phase === 'Completed' && (r.status.progress?.totalBytes ?? 0) > 0 ? ` (size: ${r.status.progress.totalBytes})` : '';
      const pod = `${r.spec.pod.namespace}/${r.spec.pod.name}`;
      byPod.set(pod, [...(byPod.get(pod) ?? []), `${r.spec.volume}${size}`]);
    }
    d.out`\t\t${phase}:\n`;
    for (const [pod, volumes] of [...byPod].sort(([a], [b]) => (a < b ? -1 : 1))) d.out`\t\t\t${pod}: ${volumes.sort().join(', ')}\n`;
  }
}

/** DescribeBackupStatus: when it ran, how much it holds, with details every item, then its volumes. */
function describeStatus(d: Describer, b: Backup, extra: DescribeInput): void {
  const status = b.status;
  d.out`Backup Format Version:\t${status.formatVersion ?? ''}\n`;
  d.out`\nStarted:\t${goTime(status.startTimestamp)}\nCompleted:\t${goTime(status.completionTimestamp)}\n`;
  // Go prints a nil *metav1.Time as <nil>.
  d.out`\nExpiration:\t${status.expiration ? goTime(status.expiration) : '<nil>'}\n\n`;
  if (status.progress) {
    const running = status.phase === 'InProgress';
    d.out`${running ? 'Estimated total items to be backed up' : 'Total items to be backed up'}:\t${status.progress.totalItems ?? 0}\n`;
    d.out`${running ? 'Items backed up so far' : 'Items backed up'}:\t${status.progress.itemsBackedUp ?? 0}\n\n`;
  }
  describeItemOperations(d, b, extra.itemOperations, extra.details);
  if (extra.details) {
    describeResourceList(d, extra.resourceList);
    d.out`\n`;
  }
  d.out`Backup Volumes:\n`;
  describeSnapshots(d, extra.volumeInfo ?? [], extra.details);
  describePodVolumes(d, extra.podVolumeBackups ?? [], extra.details);
  if (status.hookStatus) d.out`\nHooksAttempted:\t${status.hookStatus.hooksAttempted ?? 0}\nHooksFailed:\t${status.hookStatus.hooksFailed ?? 0}\n`;
}

export interface DescribeInput {
  /** The results file; read it whenever the backup counts warnings or errors (Velero shows them without --details too). Undefined: the backup has none. */
  results?: BackupResults;
  /** The resource list, shown with details; undefined: the backup has none. */
  resourceList?: Record<string, string[]>;
  podVolumeBackups?: PodVolumeBackupRecord[];
  /** NAME-volumeinfo.json.gz: how each volume was backed up (snapshots are listed from it). */
  volumeInfo?: BackupVolumeInfo[];
  /** NAME-itemoperations.json.gz, read with --details when the backup counts operations. */
  itemOperations?: BackupOperation[];
  details: boolean;
}

/** `backup describe` as Velero's `velero backup describe` prints it (without colours). */
export function describeBackup(b: Backup, extra: DescribeInput): string {
  const d = new Describer();
  const spec = b.spec as BackupSpec & VeleroOnlyFields['spec'];
  d.out`Name:\t${b.metadata.name}\nNamespace:\t${b.metadata.namespace}\n`;
  d.map('Labels', b.metadata.labels);
  d.map('Annotations', b.metadata.annotations);
  const phase = b.status.phase || 'New';
  // Velero points at `velero backup logs`; ours is the command our users have.
  const logsNote = phase === 'Failed' || phase === 'PartiallyFailed' ? ` (run \`kubectl velero backup logs ${b.metadata.name}\` for more information)` : '';
  d.out`\nPhase:\t${phase}${logsNote}\n`;
  // Beyond Velero, which leaves it to the logs: why a backup failed, also for one killed outright,
  // whose log never got written.
  if (b.status.failureReason) d.out`Failure reason:\t${b.status.failureReason}\n`;
  if (spec.resourcePolicy) d.out`\nResource policies:\n\tType:\t${spec.resourcePolicy.kind ?? ''}\n\tName:\t${spec.resourcePolicy.name ?? ''}\n`;
  const globalPolicy = b.metadata.annotations?.[GLOBAL_VOLUME_POLICY_ANNOTATION];
  if (globalPolicy) d.out`\nGlobal volume policies:\n\tType:\tconfigmap\n\tName:\t${globalPolicy}\n`;
  if ((spec.uploaderConfig?.parallelFilesUpload ?? 0) > 0) d.out`\nUploader config:\n\tParallel files upload:\t${spec.uploaderConfig!.parallelFilesUpload}\n`;
  if (b.status.validationErrors?.length) {
    // Velero writes the heading without a newline: the first error is on its line.
    d.out`\nValidation errors:`;
    for (const e of b.status.validationErrors) d.out`\t${e}\n`;
  }
  d.out`\n`;
  describeResults(d, b, extra.results);
  d.out`\n`;
  describeSpec(d, spec);
  d.out`\n`;
  describeStatus(d, b, extra);
  return d.done();
}
