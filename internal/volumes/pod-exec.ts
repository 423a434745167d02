// What the volume code needs from the exec API: run a command in a pod's container with streams.
// internal/kube/exec.ts provides it against a real API server; tests pass a function of their own.
import type { Readable, Writable } from 'node:stream';

export interface PodExecOptions {
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

export interface PodExecResult {
  exitCode: number;
  message?: string;
}

export type PodExec = (opts: PodExecOptions) => Promise<PodExecResult>;
