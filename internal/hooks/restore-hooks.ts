// Velero's restore hooks (internal/hook/{item_hook_handler,wait_exec_hook_handler}.go):
// - init hooks: `init.hook.restore.velero.io/container-image|container-name|command` on the pod,
//   or the spec's `postHooks[].init.initContainers`, become init containers of the restored pod
//   (after our restore-wait container, so they see restored volume data);
// - exec hooks: `post.hook.restore.velero.io/command|container|on-error|exec-timeout|wait-timeout|
//   wait-for-ready`, or the spec's `postHooks[].exec`, run once the container is running (or ready).
// Annotations win over the spec for a pod. Spec selectors match the restored pod (namespace after
// mapping). A failed hook is an error of the restore; with onError Fail the pod's later hooks are
// skipped.
import type { KubeRequester } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { nameSegment, namespaceSegment } from '../kube/names.ts';
import { type BackupResourceHookSpec, parseCommand, specApplies } from './backup-hooks.ts';
import { type ExecHook, type HookLog, parseGoDuration, type PodExec, runExecHook } from './exec-hook.ts';

interface RestoreExecSpec {
  container?: string;
  command: string[];
  onError?: 'Continue' | 'Fail';
  execTimeout?: string;
  waitTimeout?: string;
  waitForReady?: boolean;
}

export interface RestoreResourceHookSpec extends Omit<BackupResourceHookSpec, 'pre' | 'post'> {
  postHooks?: { exec?: RestoreExecSpec; init?: { initContainers?: Record<string, unknown>[]; timeout?: string } }[];
}

export interface RestoreHooksSpec {
  resources?: RestoreResourceHookSpec[];
}

interface WaitingHook extends ExecHook {
  waitTimeoutMs: number;
  waitForReady: boolean;
}

const INIT = 'init.hook.restore.velero.io/';
const POST = 'post.hook.restore.velero.io/';
/** Velero waits without limit by default; a CLI restore must end, so ours waits this long at most. */
export const DEFAULT_WAIT_MS = 10 * 60_000;

export function initContainersFromAnnotations(annotations: Record<string, string> | undefined): Record<string, unknown>[] {
  const image = annotations?.[`${INIT}container-image`];
  const command = annotations?.[`${INIT}command`];
  if (!image || !command) return [];
  return [{ name: annotations?.[`${INIT}container-name`] || 'restore-init-hook', image, command: parseCommand(command) }];
}

export function execHookFromAnnotations(annotations: Record<string, string> | undefined): WaitingHook | undefined {
  const get = (k: string) => annotations?.[`${POST}${k}`] ?? '';
  if (!get('command')) return undefined;
  const onError = get('on-error');
  return {
    container: get('container') || undefined,
    command: parseCommand(get('command')),
    onError: onError === 'Continue' || onError === 'Fail' ? onError : '',
    timeoutMs: parseGoDuration(get('exec-timeout')) ?? 0,
    waitTimeoutMs: parseGoDuration(get('wait-timeout')) ?? 0,
    waitForReady: get('wait-for-ready') === 'true',
  };
}

export class RestoreHookRunner {
  attempted = 0;
  failed = 0;

  constructor(
    private readonly spec: RestoreHooksSpec | undefined,
    private readonly exec: PodExec,
    private readonly client: KubeRequester,
    private readonly log: HookLog,
    private readonly pollMs = 1000,
    /** What a hook's container waits for, each time it changes (`shop/web-0: container web: CrashLoopBackOff: …`). */
    private readonly onWaiting?: (line: string) => void,
  ) {}

  private applicable(pod: KubeObject): RestoreResourceHookSpec[] {
    return (this.spec?.resources ?? []).filter((r) => specApplies(r, pod));
  }

  prepare(pod: KubeObject): KubeObject {
    let added = initContainersFromAnnotations(pod.metadata.annotations);
    if (!added.length) for (const r of this.applicable(pod)) for (const h of r.postHooks ?? []) added = [...added, ...(h.init?.initContainers ?? [])];
    // A backup of a pod we restored already has the hook's init container: keep one.
    const existing = new Set((((pod.spec as Record<string, unknown>).initContainers as { name?: string }[] | undefined) ?? []).map((c) => c.name));
    added = added.filter((c) => !existing.has(String(c.name)));
    if (!added.length) return pod;
    const spec = { ...(pod.spec as Record<string, unknown>) };
    spec.initContainers = [...added, ...((spec.initContainers as unknown[] | undefined) ?? [])];
    this.log.info('Adding init containers from restore hooks', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, containers: added.map((c) => String(c.name)).join(',') });
    return { ...pod, spec };
  }

  private execHooks(pod: KubeObject): WaitingHook[] {
    const fromAnnotations = execHookFromAnnotations(pod.metadata.annotations);
    if (fromAnnotations) return [fromAnnotations];
    const out: WaitingHook[] = [];
    for (const r of this.applicable(pod)) {
      for (const h of r.postHooks ?? []) {
        if (!h.exec) continue;
        out.push({ container: h.exec.container, command: h.exec.command ?? [], onError: h.exec.onError ?? '', timeoutMs: parseGoDuration(h.exec.execTimeout ?? '') ?? 0, waitTimeoutMs: parseGoDuration(h.exec.waitTimeout ?? '') ?? 0, waitForReady: h.exec.waitForReady ?? false });
      }
    }
    return out;
  }

  async created(pod: KubeObject, report: { error(message: string): void }): Promise<void> {
    const hooks = this.execHooks(pod);
    for (const hook of hooks) {
      this.attempted++;
      let message: string | undefined;
      try {
        const live = await this.waitForContainer(pod, hook);
        message = await runExecHook(this.exec, live, hook, this.log, { hookPhase: 'post', hookSource: pod.metadata.annotations?.[`${POST}command`] ? 'annotation' : 'restoreSpec' });
      } catch (error) {
        message = (error as Error).message;
        this.log.error('Error executing hook', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, error: message });
      }
      if (message === undefined) continue;
      this.failed++;
      report.error(`restore hook failed: ${message}`);
      if (hook.onError === 'Fail') return;
    }
  }

  /** Polls the pod until the hook's container runs (or is ready); the pod as it is then. */
  private async waitForContainer(pod: KubeObject, hook: WaitingHook): Promise<KubeObject> {
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name;
    const container = hook.container || ((pod.spec as { containers?: { name: string }[] }).containers ?? [])[0]?.name;
    const deadline = Date.now() + (hook.waitTimeoutMs || DEFAULT_WAIT_MS);
    let told = '';
    for (;;) {
      const live = await this.client.getJson<KubeObject>(`/api/v1/namespaces/${namespaceSegment(ns)}/pods/${nameSegment(name)}`);
      const status = (live.status as { containerStatuses?: { name: string; ready?: boolean; state?: { running?: unknown; waiting?: { reason?: string; message?: string } } }[] } | undefined)?.containerStatuses?.find((c) => c.name === container);
      if (status?.state?.running && (!hook.waitForReady || status.ready)) return live;
      // Told once per change; the states every container passes through on its way up are not news.
      const waiting = status?.state?.waiting;
      const now = waiting?.reason && !['ContainerCreating', 'PodInitializing'].includes(waiting.reason) ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : status?.state?.running && hook.waitForReady ? 'running, not ready' : '';
      if (now && now !== told) {
        told = now;
        this.onWaiting?.(`${ns}/${name}: container ${container} (restore hook waits for it to be ${hook.waitForReady ? 'ready' : 'running'}): ${now}`);
      }
      if (Date.now() > deadline) throw new Error(`container ${container} of pod ${ns}/${name} was not ${hook.waitForReady ? 'ready' : 'running'} within ${(hook.waitTimeoutMs || DEFAULT_WAIT_MS) / 1000} s: hook ${JSON.stringify(hook.command)} not run`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
