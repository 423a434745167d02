// Tiny HTTPS GETs against the API server with the admin client cert: enough to wait for /readyz and
// for the objects the controllers create, without pulling a client library into the harness's hot path.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface ProbeAuth {
  server: string;
  caCert: string;
  cert: string;
  key: string;
}

export function apiGet(auth: ProbeAuth, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, auth.server), {
      ca: readFileSync(auth.caCert),
      cert: readFileSync(auth.cert),
      key: readFileSync(auth.key),
      timeout: 5000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export async function apiOk(auth: ProbeAuth, path: string): Promise<boolean> {
  return (await apiGet(auth, path)).status === 200;
}
