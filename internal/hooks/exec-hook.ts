// One exec hook run the way Velero's PodCommandExecutor runs it: in the named container (default:
// the pod's first), with a timeout (default 30 s), its output and exit code written to the log.
import { Writable } from 'node:stream';
import type { ExecOptions, ExecResult } from '../kube/exec.ts';
import type { KubeObject } from '../kube/list.ts';

export type PodExec = (opts: ExecOptions) => Promise<ExecResult>;

export interface ExecHook {
  container?: string;
  command: string[];
  onError?: 'Continue' | 'Fail' | '';
  /** Milliseconds; 0 or undefined → the default. */
  timeoutMs?: number;
}

export interface HookLog {
  info(message: string, fields?: Record<string, string | number | undefined>): void;
  error(message: string, fields?: Record<string, string | number | undefined>): void;
}

export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;
const OUTPUT_LIMIT = 64 * 1024;

/** Velero's time.ParseDuration subset for hook timeouts: 30s, 1m30s, 500ms, 2h. */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text.trim()) return undefined;
  return parts.reduce((n, p) => n + Number(p[1]) * units[p[2]!]!, 0);
}

export function containersOf(pod: KubeObject): string[] {
  return ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map((c) => c.name);
}

/** Runs the hook; resolves to an error message when it failed (the caller applies onError). */
export async function runExecHook(exec: PodExec, pod: KubeObject, hook: ExecHook, log: HookLog, fields: Record<string, string | undefined>): Promise<string | undefined> {
  const ns = pod.metadata.namespace!;
  const name = pod.metadata.name;
  const containers = containersOf(pod);
  const container = hook.container || containers[0];
  const where = { ...fields, pod: `${ns}/${name}`, container };
  if (!container) return 'the pod has no containers';
  if (!containers.includes(container)) return `no such container: "${container}"`;
  if (!hook.command.length) return 'the hook has no command';
  const timeoutMs = hook.timeoutMs || DEFAULT_HOOK_TIMEOUT_MS;
  log.info('running exec hook', { ...where, command: JSON.stringify(hook.command), timeout: `${timeoutMs / 1000}s` });
  const stdout = capture();
  const stderr = capture();
  try {
    const result = await exec({ namespace: ns, pod: name, container, command: hook.command, stdout: stdout.stream, stderr: stderr.stream, timeoutMs });
    if (stdout.text()) log.info(`stdout: ${stdout.text()}`, where);
    if (stderr.text()) log.info(`stderr: ${stderr.text()}`, where);
    if (result.exitCode === 0) {
      log.info('exec hook completed', { ...where, exitCode: 0 });
      return undefined;
    }
    const message = `command ${JSON.stringify(hook.command)} in ${ns}/${name} (${container}) exited with code ${result.exitCode}${stderr.text() ? `: ${stderr.text().split('\n').slice(-2).join(' ')}` : ''}`;
    log.error('Error executing hook', { ...where, exitCode: result.exitCode, error: message });
    return message;
  } catch (error) {
    const message = `hook in ${ns}/${name} (${container}): ${(error as Error).message}`;
    log.error('Error executing hook', { ...where, error: message });
    return message;
  }
}

function capture(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      if (text.length < OUTPUT_LIMIT) text += chunk.toString('utf8');
      cb();
    },
  });
  return { stream, text: () => text.slice(0, OUTPUT_LIMIT).trim() };
}
