// moto's server (PyPI `moto[server]`, 5.2.1 here) on loopback: an EC2 API with EBS volumes and
// snapshots for the native snapshot tests, no AWS account needed. It checks credentials as AWS
// does: started with INITIAL_NO_AUTH_ACTION_COUNT=3, its first three calls make an IAM user with
// an allow-everything policy and an access key (written to an AWS credentials file, mode 0600),
// and every later call must be signed with that key — so wrong credentials fail as on AWS.
//
// It is stopped every time, even when a test fails or the test process dies: `stop()` (call it in
// `finally` or use `withMoto`), a process exit hook, and PR_SET_PDEATHSIG (the kernel sends SIGTERM
// when the process that started it ends, however it ends).
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePorts } from './ports.ts';
import { tail, waitFor } from './processes.ts';

export const MOTO_REGION = 'us-east-1';

export interface MotoServer {
  endpoint: string;
  pid: number;
  log: string;
  region: string;
  /** An AWS shared-credentials file (`[default]`) with the IAM user's key. */
  credentialsFile: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stops the server (SIGTERM, SIGKILL after 3 s) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), '.pyenv', 'shims'), join(homedir(), '.local', 'bin')];
  return dirs.filter(Boolean).map((d) => join(d, name)).find(executable);
}

/** moto's server command (`$MOTO_SERVER`, else `moto_server` on PATH or in pyenv's shims), or undefined. */
export function findMotoServer(): string | undefined {
  if (process.env.MOTO_SERVER) return executable(process.env.MOTO_SERVER) ? process.env.MOTO_SERVER : undefined;
  return onPath('moto_server');
}

// Runs under python3: asks the kernel to SIGTERM this process when its parent (the test) dies,
// makes sure the parent has not died already, then becomes moto's server (the setting survives exec).
const PDEATHSIG_WRAPPER = [
  'import ctypes, os, signal, sys',
  'ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)',
  'sys.exit(0) if os.getppid() != int(sys.argv[1]) else None',
  'os.execv(sys.argv[2], sys.argv[2:])',
].join('\n');

/** One IAM Query API call while moto still accepts unsigned calls (the header only routes it to IAM). */
async function iamCall(endpoint: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=SETUP/20250101/${MOTO_REGION}/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto: IAM ${params.Action} answered ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

export async function startMoto(options: { binary?: string } = {}): Promise<MotoServer> {
  const binary = options.binary ?? findMotoServer();
  if (!binary) throw new Error('moto_server not found: pip install "moto[server]==5.2.1" (or set MOTO_SERVER to its path)');
  const dir = mkdtempSync(join(tmpdir(), 'kv-moto-'));
  const log = join(dir, 'moto.log');
  const { port } = await freePorts(['port']);
  const endpoint = `http://127.0.0.1:${port}`;
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const python = onPath('python3');
  const fd = openSync(log, 'a');
  let child: ChildProcess;
  try {
    const [command, commandArgs] = python ? [python, ['-c', PDEATHSIG_WRAPPER, String(process.pid), binary, ...args]] : [binary, args];
    // Its own process group, so stop() ends whatever it started; the test's Ctrl-C reaches it through PDEATHSIG.
    child = spawn(command, commandArgs, { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: '3' } });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const signalGroup = (signal: NodeJS.Signals) => {
    if (exited) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* gone */
      }
    }
  };
  const onExit = () => {
    signalGroup('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    signalGroup('SIGTERM');
    const killed = setTimeout(() => signalGroup('SIGKILL'), 3000);
    await exitedPromise;
    clearTimeout(killed);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const proc = { name: 'moto_server', pid, log };
    await waitFor('moto_server', async () => (await fetch(`${endpoint}/moto-api/`)).ok, { timeoutMs: 60_000, process: proc });
    await iamCall(endpoint, { Action: 'CreateUser', UserName: 'velero' });
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    await iamCall(endpoint, { Action: 'PutUserPolicy', UserName: 'velero', PolicyName: 'everything', PolicyDocument: policy });
    const key = await iamCall(endpoint, { Action: 'CreateAccessKey', UserName: 'velero' });
    const accessKeyId = /<AccessKeyId>([^<]+)</.exec(key)?.[1];
    const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(key)?.[1];
    if (!accessKeyId || !secretAccessKey) throw new Error('moto: CreateAccessKey returned no key');
    const credentialsFile = join(dir, 'credentials');
    writeFileSync(credentialsFile, `[default]\naws_access_key_id=${accessKeyId}\naws_secret_access_key=${secretAccessKey}\n`, { mode: 0o600 });
    return { endpoint, pid, log, region: MOTO_REGION, credentialsFile, credentials: { accessKeyId, secretAccessKey }, stop };
  } catch (error) {
    const logTail = tail(log);
    await stop();
    throw new Error(`${(error as Error).message}${logTail && !(error as Error).message.includes(logTail) ? `\nlast lines of the moto log:\n${logTail}` : ''}`);
  }
}

/** Runs `use` with a moto server that is stopped afterwards, whatever happens. */
export async function withMoto<T>(use: (moto: MotoServer) => Promise<T>): Promise<T> {
  const moto = await startMoto();
  try {
    return await use(moto);
  } finally {
    await moto.stop();
  }
}

/** The moto log so far (for a failing test's message). */
export function motoLog(moto: MotoServer, lines = 30): string {
  try {
    return readFileSync(moto.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
