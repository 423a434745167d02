// Starting and stopping the cluster's processes. Each runs detached (so `hack/cluster up` can exit
// and leave the cluster running), logs to <cluster dir>/logs/<name>.log, and is recorded by pid.
// `down` stops exactly those pids, after checking each still runs one of our binaries with our
// cluster dir on its command line, so a recycled pid is never killed.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StartedProcess {
  name: string;
  pid: number;
  log: string;
}

export function startProcess(clusterDir: string, name: string, binary: string, args: string[], env: NodeJS.ProcessEnv = {}): StartedProcess {
  const logs = join(clusterDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const log = join(logs, `${name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...env }, cwd: clusterDir });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${binary})`);
    child.unref();
    return { name, pid: child.pid, log };
  } finally {
    closeSync(fd);
  }
}

// Processes a test starts beside a running cluster (a stock Velero server) are not part of what
// `up` started, whose every process must run for the cluster to count as up; they are listed in
// their own file, which `down` reads too, so none outlives its cluster.
const attachedFile = (clusterDir: string) => join(clusterDir, 'attached.json');

export function readAttached(clusterDir: string): StartedProcess[] {
  try {
    return JSON.parse(readFileSync(attachedFile(clusterDir), 'utf8')) as StartedProcess[];
  } catch {
    return [];
  }
}

export function recordAttached(clusterDir: string, p: StartedProcess): void {
  writeFileSync(attachedFile(clusterDir), JSON.stringify([...readAttached(clusterDir), p]));
}

export function forgetAttached(clusterDir: string, p: StartedProcess): void {
  if (existsSync(attachedFile(clusterDir))) writeFileSync(attachedFile(clusterDir), JSON.stringify(readAttached(clusterDir).filter((a) => a.pid !== p.pid)));
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by us) still answers kill 0.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** True when `pid` is still the process we started: its command line mentions our cluster dir. */
function isOurs(pid: number, clusterDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(clusterDir);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`; resolves when every process is gone. */
export async function stopProcesses(processes: StartedProcess[], clusterDir: string, graceMs = 10_000): Promise<void> {
  const ours = processes.filter((p) => isRunning(p.pid) && isOurs(p.pid, clusterDir));
  for (const p of ours) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (ours.some((p) => isRunning(p.pid)) && Date.now() < deadline) await sleep(100);
  for (const p of ours) if (isRunning(p.pid)) signal(p.pid, 'SIGKILL');
  while (ours.some((p) => isRunning(p.pid))) await sleep(50);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    // Detached children lead their own process group: signal the group, so helpers they spawned stop too.
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Polls `check` until it returns true, failing early with the log tail if `process` died. The first
 * line of the error quotes the log's last line too: CI may keep only that line of a failed setup.
 */
export async function waitFor(what: string, check: () => Promise<boolean>, opts: { timeoutMs: number; process?: StartedProcess }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const logTail = (p: StartedProcess) => {
    const lines = tail(p.log);
    return ` (its log ends: ${JSON.stringify(lines.split('\n').at(-1) ?? '')}); last lines of ${p.log}:\n${lines}`;
  };
  for (;;) {
    if (await check().catch(() => false)) return;
    if (opts.process && !isRunning(opts.process.pid)) throw new Error(`${opts.process.name} exited while waiting for ${what}${logTail(opts.process)}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs / 1000} s waiting for ${what}${opts.process ? logTail(opts.process) : ''}`);
    await sleep(250);
  }
}
