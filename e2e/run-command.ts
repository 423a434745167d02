// How the e2e suite runs a command as a user would: its output and exit code, asserted to be the
// expected one (the message shows the command and everything it printed).
import { execFile } from 'node:child_process';
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
