// Velero's backup exec hooks (internal/hook/item_hook_handler.go): a pod's annotations
// (`pre.hook.backup.velero.io/command`, …/container, …/on-error, …/timeout; `post.` likewise; the
// unprefixed `hook.backup.velero.io/*` is a pre hook) take priority over the backup spec's
// `hooks.resources` (namespace/resource/label selectors, `pre`/`post` lists of exec hooks).
// A failed hook is an error of the backup; one with onError Fail stops the backup (Velero fails the
// pod item — we fail the whole backup, so a database that could not be made consistent is never
// in a Completed backup).
import { IncludesExcludes } from '../collections/includes-excludes.ts';
import type { KubeObject } from '../kube/list.ts';
import { type LabelSelector, selectorMatches } from '../backup/label-selector.ts';
import { type ExecHook, type HookLog, parseGoDuration, type PodExec, runExecHook } from './exec-hook.ts';

export type HookPhase = 'pre' | 'post';

export interface BackupResourceHookSpec {
  name?: string;
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  labelSelector?: LabelSelector;
  pre?: { exec?: { container?: string; command: string[]; onError?: 'Continue' | 'Fail'; timeout?: string } }[];
  post?: BackupResourceHookSpec['pre'];
}

export interface BackupHooksSpec {
  resources?: BackupResourceHookSpec[];
}

const ANNOTATION = 'hook.backup.velero.io/';

export function hookFromAnnotations(annotations: Record<string, string> | undefined, phase: HookPhase | ''): ExecHook | undefined {
  const get = (key: string) => annotations?.[`${phase ? `${phase}.` : ''}${ANNOTATION}${key}`] ?? '';
  const command = get('command');
  if (!command) return undefined;
  const onError = get('on-error');
  return {
    container: get('container') || undefined,
    command: parseCommand(command),
    onError: onError === 'Continue' || onError === 'Fail' ? onError : '',
    timeoutMs: parseGoDuration(get('timeout')) ?? 0,
  };
}

/** Velero's parseStringToCommand: a JSON array, else the whole value as one argument. */
export function parseCommand(value: string): string[] {
  if (value.startsWith('[')) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
    } catch {
      // not JSON: one argument, as Velero does
    }
  }
  return [value];
}

/** Velero's ResourceHookSelector.applicableTo for pods. */
export function specApplies(spec: BackupResourceHookSpec, pod: KubeObject): boolean {
  const ns = new IncludesExcludes(spec.includedNamespaces ?? [], spec.excludedNamespaces ?? []);
  if (!ns.shouldInclude(pod.metadata.namespace ?? '')) return false;
  const podNames = ['pods', 'pod', 'po', 'Pod'];
  const included = spec.includedResources ?? [];
  if (included.length && !included.includes('*') && !included.some((r) => podNames.includes(r))) return false;
  if ((spec.excludedResources ?? []).some((r) => podNames.includes(r))) return false;
  return !spec.labelSelector || selectorMatches(spec.labelSelector, pod.metadata.labels);
}

export class HookAbort extends Error {}

export class BackupHookRunner {
  attempted = 0;
  failed = 0;

  constructor(
    private readonly spec: BackupHooksSpec | undefined,
    private readonly exec: PodExec,
    private readonly log: HookLog,
  ) {}

  /** Runs the pod's hooks of `phase`. Failures go to `report`; a Fail hook throws HookAbort. */
  async run(phase: HookPhase, pod: KubeObject, report: { error(message: string): void }): Promise<void> {
    // Hooks run in running pods only (Velero skips the others).
    if ((pod.status as { phase?: string } | undefined)?.phase !== 'Running') return;
    const fromAnnotations = hookFromAnnotations(pod.metadata.annotations, phase) ?? (phase === 'pre' ? hookFromAnnotations(pod.metadata.annotations, '') : undefined);
    if (fromAnnotations) return this.runOne(fromAnnotations, pod, phase, '<from-annotation>', report);
    let failure: string | undefined;
    for (const resource of this.spec?.resources ?? []) {
      if (!specApplies(resource, pod)) continue;
      for (const h of resource[phase] ?? []) {
        if (!h.exec || failure) continue;
        const hook: ExecHook = { container: h.exec.container, command: h.exec.command ?? [], onError: h.exec.onError ?? '', timeoutMs: parseGoDuration(h.exec.timeout ?? '') ?? 0 };
        try {
          await this.runOne(hook, pod, phase, resource.name ?? '', report);
        } catch (error) {
          // The remaining hooks are not run after a Fail (Velero's modeFailError).
          failure = (error as Error).message;
        }
      }
    }
    if (failure) throw new HookAbort(failure);
  }

  private async runOne(hook: ExecHook, pod: KubeObject, phase: HookPhase, source: string, report: { error(message: string): void }): Promise<void> {
    this.attempted++;
    const message = await runExecHook(this.exec, pod, hook, this.log, { hookPhase: phase, hookSource: source === '<from-annotation>' ? 'annotation' : 'backupSpec', hookName: source });
    if (message === undefined) return;
    this.failed++;
    report.error(`${phase} hook failed: ${message}`);
    if (hook.onError === 'Fail') throw new HookAbort(`${phase} hook of pod ${pod.metadata.namespace}/${pod.metadata.name} failed with onError Fail: ${message}`);
  }
}
