// fake-gcs-server for a cluster: a Google Cloud Storage emulator (JSON API, resumable uploads) on
// loopback, keeping its objects under the cluster dir, with the `velero` bucket made through
// @google-cloud/storage and a service-account key file for Velero's `gcp` provider. The emulator
// checks no credentials; the key is real (an RSA key made here), so clients sign with it as they
// would against GCS.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StartedProcess, waitFor } from './processes.ts';
import type { GcsStatus } from './types.ts';

/** The made-up project the emulator's service account belongs to. */
export const FAKE_GCS_PROJECT = 'kubectl-velero-local';

export interface FakeGcsOptions {
  clusterDir: string;
  port: number;
  bucket: string;
  binary: string;
  /** Starts and records a process (local-provider's `start`, so `down` stops it by pid). */
  start: (name: string, binary: string, args: string[]) => StartedProcess;
}

/** A service-account key file as the Cloud console makes them, for a made-up account; mode 0600. */
export function writeServiceAccountKey(path: string, project = FAKE_GCS_PROJECT): void {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const id = randomBytes(20).toString('hex');
  const key = {
    type: 'service_account',
    project_id: project,
    private_key_id: id,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: `velero@${project}.iam.gserviceaccount.com`,
    client_id: String(BigInt(`0x${id.slice(0, 15)}`)),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    universe_domain: 'googleapis.com',
  };
  writeFileSync(path, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
}

/** The server's command line (also how a test restarts it on the same data and port). */
export function fakeGcsArgs(clusterDir: string, port: number): string[] {
  const endpoint = `http://127.0.0.1:${port}`;
  return [
    '-scheme', 'http', '-host', '127.0.0.1', '-port', String(port),
    '-backend', 'filesystem', '-filesystem-root', join(clusterDir, 'fake-gcs'),
    // Where resumable upload sessions point (the Location header) and what it calls itself.
    '-external-url', endpoint, '-public-host', `127.0.0.1:${port}`,
    // info: one line per request (Apache log format), as the other components' logs have.
    '-log-level', 'info',
  ];
}

export async function startFakeGcs(options: FakeGcsOptions): Promise<GcsStatus> {
  const endpoint = `http://127.0.0.1:${options.port}`;
  const credentialsFile = join(options.clusterDir, 'gcs-credentials.json');
  writeServiceAccountKey(credentialsFile);
  const proc = options.start('fake-gcs-server', options.binary, fakeGcsArgs(options.clusterDir, options.port));
  await waitFor('fake-gcs-server', async () => (await fetch(`${endpoint}/storage/v1/b`)).ok, { timeoutMs: 30_000, process: proc });
  await ensureGcsBucket(endpoint, options.bucket);
  return { endpoint, bucket: options.bucket, credentialsFile };
}

/** Makes the bucket unless it is there (the emulator wants no credentials). */
export async function ensureGcsBucket(endpoint: string, bucket: string): Promise<void> {
  const { Storage } = await import('@google-cloud/storage');
  const storage = new Storage({ apiEndpoint: endpoint, projectId: FAKE_GCS_PROJECT });
  const [exists] = await storage.bucket(bucket).exists();
  if (!exists) await storage.createBucket(bucket);
}
