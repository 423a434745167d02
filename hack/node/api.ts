// The few API calls the node set-up makes, with the admin client cert: create-if-absent and GET.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { ProbeAuth } from '../harness/api-probe.ts';

export function apiRequest(auth: ProbeAuth, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(new URL(path, auth.server), {
      method,
      ca: readFileSync(auth.caCert),
      cert: readFileSync(auth.cert),
      key: readFileSync(auth.key),
      timeout: 10_000,
      headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** POST unless it exists already (409). */
export async function createIfAbsent(auth: ProbeAuth, collection: string, object: unknown): Promise<void> {
  const res = await apiRequest(auth, 'POST', collection, object);
  if (res.status !== 201 && res.status !== 200 && res.status !== 409) throw new Error(`POST ${collection}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
}

export async function getJson<T>(auth: ProbeAuth, path: string): Promise<T | undefined> {
  const res = await apiRequest(auth, 'GET', path);
  return res.status === 200 ? (JSON.parse(res.body) as T) : undefined;
}
