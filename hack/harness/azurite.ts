// Azurite's blob service for a cluster: Velero's `azure` provider without Azure. It runs under the
// project's Node 24 from node_modules (a dev dependency, nothing to build), with its own storage
// account — a generated name and key passed through AZURITE_ACCOUNTS, so the well-known emulator
// account is off — data under <cluster dir>/azurite, telemetry off. The key goes to a credentials
// file in Velero's format (mode 0600), never to a command line or to the status.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { repoRoot } from './paths.ts';
import { type StartedProcess, waitFor } from './processes.ts';
import type { AzureStatus } from './types.ts';

export const AZURE_CONTAINER = 'velero';

export interface AzureAccount {
  /** 3–24 lower-case letters and digits, as Azure requires. */
  name: string;
  /** Base64, as Azure's account keys are. */
  key: string;
}

export function generateAccount(): AzureAccount {
  return { name: `kv${randomBytes(6).toString('hex')}`, key: randomBytes(64).toString('base64') };
}

/** Velero's Azure credentials file: KEY=value lines. */
export function writeAzureCredentialsFile(path: string, account: AzureAccount): void {
  writeFileSync(path, `AZURE_STORAGE_ACCOUNT_ACCESS_KEY=${account.key}\nAZURE_CLOUD_NAME=AzurePublicCloud\n`, { mode: 0o600 });
}

/** The Node 24 that runs the project (node_modules/node), else the one running us. */
function nodeBinary(): string {
  const bundled = join(repoRoot, 'node_modules', 'node', 'bin', 'node');
  return existsSync(bundled) ? bundled : process.execPath;
}

export type Starter = (procName: string, binary: string, args: string[], env?: NodeJS.ProcessEnv) => StartedProcess;

/** The command that runs Azurite for a cluster dir on `port`, serving `account` only. */
export function azuriteCommand(dir: string, port: number, account: AzureAccount): { binary: string; args: string[]; env: NodeJS.ProcessEnv } {
  const main = join(repoRoot, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  return {
    binary: nodeBinary(),
    args: [
      main,
      '--blobHost', '127.0.0.1', '--blobPort', String(port),
      // Its data, and the cluster dir on its command line, which is how `down` knows the pid is ours.
      '--location', join(dir, 'azurite'),
      // The SDK may speak a newer service version than this Azurite knows; the calls we make are old.
      '--skipApiVersionCheck',
      '--disableProductStyleUrl', '--disableTelemetry', '--silent',
    ],
    env: { AZURITE_ACCOUNTS: `${account.name}:${account.key}` },
  };
}

/**
 * Starts Azurite on 127.0.0.1:`port` through `start` (the provider's recorder, so `down` stops it by
 * pid), waits until it answers for our account, makes the `velero` container and writes
 * `<dir>/azure-credentials`.
 */
export async function startAzurite(dir: string, port: number, start: Starter, account: AzureAccount = generateAccount()): Promise<{ status: AzureStatus; process: StartedProcess }> {
  mkdirSync(join(dir, 'azurite'), { recursive: true, mode: 0o700 });
  const credentialsFile = join(dir, 'azure-credentials');
  writeAzureCredentialsFile(credentialsFile, account);
  const command = azuriteCommand(dir, port, account);
  const proc = start('azurite', command.binary, command.args, command.env);
  const endpoint = `http://127.0.0.1:${port}/${account.name}`;
  const service = azuriteService(endpoint, account);
  // Ready when our account answers an authenticated request (the account list is read at start-up).
  await waitFor('Azurite', async () => {
    await service.getProperties();
    return true;
  }, { timeoutMs: 60_000, process: proc });
  await service.getContainerClient(AZURE_CONTAINER).createIfNotExists();
  return { status: { endpoint, storageAccount: account.name, container: AZURE_CONTAINER, credentialsFile }, process: proc };
}

/** A client of the emulator's account, for tests and set-up (one try per request). */
export function azuriteService(endpoint: string, account: AzureAccount): BlobServiceClient {
  return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account.name, account.key), { retryOptions: { maxTries: 1 } });
}

/** The account of a running cluster's Azurite, from its status and credentials file. */
export function azuriteAccount(status: AzureStatus): AzureAccount {
  const key = /^AZURE_STORAGE_ACCOUNT_ACCESS_KEY=(.+)$/m.exec(readFileSync(status.credentialsFile, 'utf8'))?.[1];
  if (!key) throw new Error(`${status.credentialsFile} has no AZURE_STORAGE_ACCOUNT_ACCESS_KEY`);
  return { name: status.storageAccount, key };
}
