// How the e2e suite runs a command as a user would: its output and exit code, asserted to be the
// expected one (the message shows the command and everything it printed).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export async function runCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, expectCode = 0): Promise<CommandResult> {
  const r = await promisify(execFile)(cmd, args, { env, maxBuffer: 64 << 20 }).then(
    (x) => ({ stdout: x.stdout, stderr: x.stderr, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
  );
  assert.is(r.code, expectCode, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

export interface RunningCommand {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they came. */
  readonly output: string;
  readonly exited: boolean;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a command that a test interrupts or watches while it runs (a backup whose store is killed). */
export function startCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv): RunningCommand {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  return {
    child,
    get output() {
      return output;
    },
    get exited() {
      return exited;
    },
    exit,
  };
}
