// Runs a command in a pod's container through the API server's exec endpoint, with streams — the
// way `kubectl exec -i` does, over a WebSocket with the v5.channel.k8s.io protocol (each message
// starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 status, 255 close). v5 can close
// stdin, which `tar -x` needs to see the end of its input. Backpressure holds both ways: a slow
// stdout consumer pauses the socket, and stdin is sent no faster than the socket drains — this
// carries whole volumes.
import type { Readable, Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { nameSegment, namespaceSegment } from './names.ts';

export interface ExecOptions {
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
  stdin?: AsyncIterable<Uint8Array> | Readable;
  stdout?: Writable;
  stderr?: Writable;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  /** The status channel's message when the command did not succeed. */
  message?: string;
}

export class ExecError extends Error {}

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;
/** Largest stdin frame, and how much may wait in the socket before we hold back. */
const FRAME = 256 * 1024;
const HIGH_WATER = 4 * 1024 * 1024;

interface Status {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

export function execUrl(server: string, opts: ExecOptions): string {
  const url = new URL(`${server.replace(/\/$/, '')}/api/v1/namespaces/${namespaceSegment(opts.namespace)}/pods/${nameSegment(opts.pod)}/exec`);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  for (const part of opts.command) url.searchParams.append('command', part);
  if (opts.container) url.searchParams.set('container', opts.container);
  url.searchParams.set('stdout', 'true');
  url.searchParams.set('stderr', 'true');
  if (opts.stdin) url.searchParams.set('stdin', 'true');
  return url.toString();
}

/** The exit code a status message carries: Success → 0; NonZeroExitCode → its ExitCode cause. */
export function exitCodeOf(status: Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return Number.isInteger(code) && code > 0 ? code : 1;
}

export async function execInPod(kc: KubeConfig, opts: ExecOptions): Promise<ExecResult> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ExecError('no current cluster in kubeconfig');
  const tls: { headers?: Record<string, string>; ca?: unknown; cert?: unknown; key?: unknown; rejectUnauthorized?: boolean; servername?: string } = { headers: {} };
  await kc.applyToHTTPSOptions(tls as never);
  const where = `${opts.namespace}/${opts.pod}${opts.container ? ` (${opts.container})` : ''}`;
  const ws = new WebSocket(execUrl(cluster.server, opts), ['v5.channel.k8s.io'], {
    headers: tls.headers,
    ca: tls.ca as string,
    cert: tls.cert as string,
    key: tls.key as string,
    rejectUnauthorized: tls.rejectUnauthorized,
    maxPayload: 64 * 1024 * 1024,
    perMessageDeflate: false,
    // tls-server-name from the kubeconfig (passed on to tls.connect).
    ...(tls.servername ? { servername: tls.servername } : {}),
  } as WebSocket.ClientOptions);

  return new Promise<ExecResult>((resolve, reject) => {
    let status: Status | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: { result?: ExecResult; error?: Error }) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (outcome.error) {
        ws.terminate();
        reject(outcome.error);
      } else resolve(outcome.result!);
    };
    const onAbort = () => finish({ error: new ExecError(`exec in ${where} was cancelled`) });
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.timeoutMs) timer = setTimeout(() => finish({ error: new ExecError(`exec in ${where} timed out after ${opts.timeoutMs! / 1000} s`) }), opts.timeoutMs);

    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => {
        let message = body.trim();
        try {
          message = (JSON.parse(body) as Status).message ?? message;
        } catch {
          // not JSON: keep the text
        }
        finish({ error: new ExecError(`exec in ${where} refused (${res.statusCode}): ${message || res.statusMessage}`) });
      });
    });
    ws.on('error', (error) => finish({ error: new ExecError(`exec in ${where} failed: ${error.message}`) }));
    ws.on('open', () => {
      if (ws.protocol !== 'v5.channel.k8s.io') return finish({ error: new ExecError(`exec in ${where}: the API server does not speak v5.channel.k8s.io (Kubernetes 1.30 or later is needed)`) });
      if (opts.stdin) sendStdin(ws, opts.stdin).catch((error: Error) => finish({ error: new ExecError(`exec in ${where}: stdin failed: ${error.message}`) }));
    });
    ws.on('message', (data: Buffer) => {
      if (!data.length) return;
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === STDOUT || channel === STDERR) {
        const out = channel === STDOUT ? opts.stdout : opts.stderr;
        if (!out || !payload.length) return;
        if (!out.write(payload)) {
          ws.pause();
          out.once('drain', () => ws.resume());
        }
      } else if (channel === STATUS) {
        try {
          status = JSON.parse(payload.toString('utf8')) as Status;
        } catch {
          status = { status: 'Failure', message: payload.toString('utf8') };
        }
      }
    });
    ws.on('close', (code, reason) => {
      if (status) {
        const exitCode = exitCodeOf(status);
        // A command that could not start (no such file) is reported as a failure without ExitCode.
        finish({ result: exitCode === 0 ? { exitCode } : { exitCode, message: status.message } });
      } else finish({ error: new ExecError(`exec in ${where}: the connection closed without an exit status (${code}${reason.length ? ` ${reason.toString()}` : ''})`) });
    });
  });
}

/** Sends stdin in frames, holding back while the socket's buffer is full; then closes stdin. */
async function sendStdin(ws: WebSocket, source: AsyncIterable<Uint8Array>): Promise<void> {
  const send = (frame: Buffer) =>
    new Promise<void>((resolve, reject) => ws.send(frame, { binary: true }, (error) => (error ? reject(error) : resolve())));
  for await (const chunk of source) {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let i = 0; i < buf.length; i += FRAME) {
      if (ws.readyState !== WebSocket.OPEN) return;
      const part = buf.subarray(i, i + FRAME);
      const frame = Buffer.allocUnsafe(part.length + 1);
      frame[0] = STDIN;
      part.copy(frame, 1);
      const sent = send(frame);
      // Wait for the socket when it holds a lot; otherwise keep filling it.
      if (ws.bufferedAmount > HIGH_WATER) await sent;
      else sent.catch(() => undefined);
    }
  }
  if (ws.readyState === WebSocket.OPEN) await send(Buffer.from([CLOSE, STDIN]));
}
