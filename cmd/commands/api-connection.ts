// The API client of a long run (backup create, restore create): checked reachable before anything
// is written, then riding out an API server that stops answering part-way (see
// internal/kube/reconnecting-client.ts) for --api-reconnect-timeout, saying on the terminal what it
// waits for.
import type { KubeConfig } from '@kubernetes/client-node';
import { BadDurationError, nsToMs, parseDuration } from '../../internal/backup/duration.ts';
import { assertReachable, KubeHttpClient } from '../../internal/kube/http-client.ts';
import { ReconnectingClient } from '../../internal/kube/reconnecting-client.ts';
import { BadFlagValueError } from './backup/flags.ts';

export const API_RECONNECT_TIMEOUT_DESCRIPTION = 'how long to wait for an API server that stops answering part-way (restarted, failing over) before giving up on what is left (default 1m; 0 gives up at once)';

export interface RunConnection {
  client: ReconnectingClient;
  close(): void;
}

export async function connectForRun(kc: KubeConfig, options: { concurrency: number; reconnectTimeout: string | undefined; note(line: string): void }): Promise<RunConnection> {
  const timeoutMs = parseReconnectTimeout(options.reconnectTimeout);
  // Before anything is written: an unreachable cluster is an error, not a Failed backup or restore.
  await assertReachable(kc);
  const http = new KubeHttpClient(kc, { maxSockets: Math.max(4, options.concurrency) });
  const client = new ReconnectingClient(http, {
    timeoutMs,
    ready: () => http.ready(),
    onWait: ({ state, server, cause, waitedMs }) => {
      if (state === 'waiting') options.note(`waiting: the API server at ${server} stopped answering (${cause}); waiting up to ${Math.round(timeoutMs / 1000)} s for it to come back`);
      if (state === 'back') options.note(`the API server at ${server} answers again after ${Math.round(waitedMs / 1000)} s; going on`);
    },
  });
  return { client, close: () => http.close() };
}

function parseReconnectTimeout(text: string | undefined): number {
  if (text === undefined) return 60_000;
  try {
    const ns = parseDuration(text);
    if (ns < 0) throw new BadDurationError(text);
    return nsToMs(ns);
  } catch (error) {
    if (error instanceof BadDurationError) throw new BadFlagValueError(`invalid --api-reconnect-timeout "${text}": use a duration such as 30s or 2m`);
    throw error;
  }
}
