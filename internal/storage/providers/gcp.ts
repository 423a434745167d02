// Velero's `gcp` provider (velero-plugin-for-gcp): Google Cloud Storage, or anything speaking its JSON
// API at `storeEndpoint` (a private endpoint, an emulator such as fake-gcs-server). Credentials are a
// JSON credentials file as Velero takes it — a service-account key, or an `external_account`
// (workload identity federation) or `authorized_user` file — or, without one, Application Default
// Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, the metadata server).
//
// Velero's keys, and what they do here:
// - kmsKeyName: new objects are encrypted with that Cloud KMS key.
// - storeEndpoint: the JSON API's base URL. Requests are authenticated there too, as Velero's plugin
//   does (see gcs-store.ts: service-account keys sign their own JWTs, so no token server is needed).
// - universeDomain: a Google Cloud universe other than googleapis.com.
// - credentialsFile: a credentials file path, used when the location has no --credential-file
//   (Velero's server sets this key itself to the file of the location's credential Secret); read by
//   the registry, as for every provider.
// - serviceAccount: accepted and unused. Velero needs it only to sign download URLs through IAM
//   (signBlob) when running with workload identity; we sign no URLs, reads go through the API.
import { createPrivateKey } from 'node:crypto';
import type { ObjectStore } from '../object-store.ts';
import type { LocationSpec, StorageProvider } from './provider.ts';

/** A parsed credentials file; the library takes the JSON as it is. */
export interface GcpCredentials {
  type: 'service_account' | 'external_account' | 'authorized_user';
  json: Record<string, unknown> & { type: string };
}

/** What each credentials type must hold for the library to use it. */
const REQUIRED: Record<GcpCredentials['type'], string[]> = {
  service_account: ['client_email', 'private_key'],
  authorized_user: ['client_id', 'client_secret', 'refresh_token'],
  external_account: ['audience', 'subject_token_type'],
};

const isText = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** Parses a credentials file's text; messages never quote it. */
export function parseGcpCredentials(text: string): GcpCredentials {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('not a Google Cloud credentials file: it is not JSON (expected a service-account key file from the Cloud console or gcloud)');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('not a Google Cloud credentials file: expected a JSON object (a service-account key file)');
  }
  const record = json as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !(type in REQUIRED)) {
    const got = typeof type === 'string' && /^[a-z_]{1,40}$/.test(type) ? `"${type}"` : type === undefined ? 'no "type"' : 'an unexpected "type"';
    throw new Error(`unsupported Google Cloud credentials file (${got}): use a service_account key, or an external_account or authorized_user file`);
  }
  const kind = type as GcpCredentials['type'];
  const missing = REQUIRED[kind].filter((field) => !isText(record[field]));
  if (kind === 'external_account' && !record.credential_source && !isText(record.token_url) && !record.executable) missing.push('credential_source');
  if (missing.length) throw new Error(`the ${kind} credentials file lacks ${missing.join(', ')}`);
  if (kind === 'service_account') {
    let keyType: string | undefined;
    try {
      keyType = createPrivateKey(record.private_key as string).asymmetricKeyType;
    } catch {
      throw new Error('the service_account key\'s private_key is not a usable PEM private key');
    }
    // Google signs service-account keys as RS256 only.
    if (keyType !== 'rsa') throw new Error('the service_account key\'s private_key is not an RSA key');
  }
  return { type: kind, json: record as GcpCredentials['json'] };
}

// node-fetch 2, under @google-cloud/storage's HTTP clients (gaxios, teeny-request), still loads
// Node's `punycode` module and calls url.parse(): Node prints a deprecation warning for each on stderr,
// which a user can do nothing about and which breaks a command's one-line errors. Those two, and only
// those, are silenced — installed before the library loads (the punycode one fires as it loads), and
// only when a GCS location is opened.
const QUIET_DEPRECATIONS = new Set(['DEP0040', 'DEP0169']);
let quieted = false;
function quietLibraryDeprecations(): void {
  if (quieted) return;
  quieted = true;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    const options = rest[0];
    const code = typeof options === 'object' && options !== null ? (options as { code?: unknown }).code : rest[1];
    if (typeof code === 'string' && QUIET_DEPRECATIONS.has(code)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}

export const gcpProvider: StorageProvider<GcpCredentials> = {
  name: 'gcp',
  aliases: ['gcp', 'velero.io/gcp'],
  summary: 'Google Cloud Storage (or its JSON API at storeEndpoint); --bucket is the bucket',
  needsBucket: true,
  configKeys: ['kmsKeyName', 'serviceAccount', 'credentialsFile', 'storeEndpoint', 'universeDomain'],

  validate(spec: LocationSpec): void {
    const config = spec.config ?? {};
    if (config.storeEndpoint !== undefined && !/^https?:\/\/[^/]/.test(config.storeEndpoint)) {
      throw new Error('config key storeEndpoint must be an http:// or https:// URL');
    }
    if (config.universeDomain !== undefined && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(config.universeDomain)) {
      throw new Error('config key universeDomain must be a domain name such as googleapis.com');
    }
    if (config.kmsKeyName !== undefined && !/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/.test(config.kmsKeyName)) {
      throw new Error('config key kmsKeyName must be projects/P/locations/L/keyRings/R/cryptoKeys/K');
    }
    if (config.serviceAccount !== undefined && !/^[^@\s]+@[^@\s]+$/.test(config.serviceAccount)) {
      throw new Error('config key serviceAccount must be a service account e-mail address');
    }
    if (config.credentialsFile !== undefined && config.credentialsFile.trim() === '') throw new Error('config key credentialsFile must be a path');
  },

  parseCredentials(text: string): GcpCredentials {
    return parseGcpCredentials(text);
  },

  async open(spec: LocationSpec, credentials: GcpCredentials | undefined): Promise<ObjectStore> {
    const config = spec.config ?? {};
    quietLibraryDeprecations();
    const { GcsStore } = await import('../gcs-store.ts');
    return new GcsStore({
      bucket: spec.bucket!,
      prefix: spec.prefix,
      ...(config.storeEndpoint ? { endpoint: config.storeEndpoint } : {}),
      ...(config.universeDomain ? { universeDomain: config.universeDomain } : {}),
      ...(config.kmsKeyName ? { kmsKeyName: config.kmsKeyName } : {}),
      ...(credentials ? { credentials: credentials.json } : {}),
    });
  },
};
