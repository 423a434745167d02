// kubectl as hack/dbdata runs it, and each database's own client in its container.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { binaryPath } from '../harness/build.ts';
import { COMPONENTS } from '../harness/versions.ts';
import { DATABASE, type Db, SELECT_SQL } from './rows.ts';

export function kubectlBinary(): string {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  const built = binaryPath(COMPONENTS.kubectl);
  return existsSync(built) ? built : 'kubectl';
}

export function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlBinary(), args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The client command in the database container (the password comes from the container's env). */
/**
 * The client command in the database container (the password comes from the container's env):
 * `write` runs the SQL on stdin; `dump` runs `query` and prints tab-separated rows; `stream` runs
 * stdin statement by statement, printing (unbuffered) each SELECT's rows as it completes.
 */
export function client(db: Db, mode: 'write' | 'dump' | 'stream', query = SELECT_SQL): string[] {
  if (db === 'postgres') {
    if (mode === 'write') return ['psql', '-U', 'postgres', '-d', DATABASE, '-v', 'ON_ERROR_STOP=1', '-q'];
    if (mode === 'stream') return ['psql', '-U', 'postgres', '-d', DATABASE, '-v', 'ON_ERROR_STOP=1', '-q', '-A', '-t'];
    return ['psql', '-U', 'postgres', '-d', DATABASE, '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-F', '\t', '-c', query];
  }
  const base = 'exec mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" --batch --skip-column-names';
  if (mode === 'write') return ['sh', '-c', `${base} ${DATABASE}`];
  if (mode === 'stream') return ['sh', '-c', `${base} --unbuffered ${DATABASE}`];
  return ['sh', '-c', `${base} -e '${query}' ${DATABASE}`];
}
