// Running the CLI in-process for unit tests, as a user's shell would (arguments in; exit code,
// stdout and stderr out), and a local-directory location for commands that need one — no cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import { buildCli } from './cli.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[]): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  const code = await buildCli().run(args, { stdin: process.stdin, stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

/**
 * Before each test of `suite`: a fresh temp dir whose `store/` is the default location `here`
 * (provider local), in a plugin config of its own; after each, the dir goes and the environment is
 * as it was. The returned function gives the dir and runs commands there, with a kubeconfig that
 * does not exist, so the location can only come from the config file.
 */
export function withLocalLocation(suite: Test, prefix: string): { dir: () => string; velero: (args: string[]) => Promise<CliRun> } {
  let dir = '';
  let savedConfig: string | undefined;
  const velero = (args: string[]) => runCli([...args, '--kubeconfig', join(dir, 'no-kubeconfig')]);
  suite.before.each(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    savedConfig = process.env.KUBECTL_VELERO_CONFIG;
    process.env.KUBECTL_VELERO_CONFIG = join(dir, 'config.yaml');
    const r = await velero(['backup-location', 'create', 'here', '--provider', 'local', '--config', `path=${join(dir, 'store')}`, '--default']);
    assert.is(r.code, 0, r.stderr);
  });
  suite.after.each(() => {
    if (savedConfig === undefined) delete process.env.KUBECTL_VELERO_CONFIG;
    else process.env.KUBECTL_VELERO_CONFIG = savedConfig;
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir, velero };
}
