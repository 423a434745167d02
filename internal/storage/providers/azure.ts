// Velero's `azure` provider (velero-plugin-for-microsoft-azure): Azure Blob Storage, --bucket is the
// blob container. Config keys and the credentials file are Velero's: the file is KEY=value lines
// (a .env file) with the storage account key or a service principal, and AZURE_CLOUD_NAME picks the
// cloud. How a location authenticates, as Velero decides it:
//   1. `storageAccountKeyEnvVar` names the key's variable → that key (Shared Key), which must be there;
//   2. `useAAD=true` → Azure AD: a service principal from the file (secret or certificate), else
//      @azure/identity's default chain (workload identity, managed identity, environment, Azure CLI);
//   3. otherwise Velero lists the account's keys through Azure Resource Manager. We do not (it needs
//      @azure/arm-storage): AZURE_STORAGE_ACCOUNT_ACCESS_KEY in the file is used when present, a
//      resourceGroup/subscriptionId without a key is refused with what to do instead, and with
//      neither, Azure AD as in 2.
// Without a credentials file the same variables are read from the environment.
// The SDKs are imported inside `open`, @azure/identity only for Azure AD, so this module is cheap.
import type { ObjectStore } from '../object-store.ts';
import type { LocationSpec, StorageProvider } from './provider.ts';

/** The variables of Velero's Azure credentials file (values are secrets: never in messages). */
export type AzureCredentials = Readonly<Record<string, string>>;

export const DEFAULT_KEY_VARIABLE = 'AZURE_STORAGE_ACCOUNT_ACCESS_KEY';
const MAX_BLOCK_SIZE = 100 * 1024 * 1024;
// Go's strconv.ParseBool, which Velero uses for useAAD.
const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** Velero's cloud names (AZURE_CLOUD_NAME) → blob endpoint suffix and Azure AD authority. */
const CLOUDS: Record<string, { blobSuffix: string; authorityHost: string }> = {
  AZUREPUBLICCLOUD: { blobSuffix: 'blob.core.windows.net', authorityHost: 'https://login.microsoftonline.com' },
  AZURECHINACLOUD: { blobSuffix: 'blob.core.chinacloudapi.cn', authorityHost: 'https://login.chinacloudapi.cn' },
  AZUREUSGOVERNMENTCLOUD: { blobSuffix: 'blob.core.usgovcloudapi.net', authorityHost: 'https://login.microsoftonline.us' },
};
const CLOUD_ALIASES: Record<string, string> = { '': 'AZUREPUBLICCLOUD', AZURECLOUD: 'AZUREPUBLICCLOUD', AZUREUSGOVERNMENT: 'AZUREUSGOVERNMENTCLOUD' };

export function cloudFor(name: string | undefined): { blobSuffix: string; authorityHost: string } {
  const upper = (name ?? '').trim().toUpperCase();
  const cloud = CLOUDS[CLOUD_ALIASES[upper] ?? upper];
  if (!cloud) throw new Error('AZURE_CLOUD_NAME is not a known cloud: use AzurePublicCloud, AzureUSGovernmentCloud or AzureChinaCloud');
  return cloud;
}

/**
 * Parses Velero's credentials file as godotenv does: `KEY=value` (or `KEY: value`) lines, `export`
 * prefixes, `#` comments, single-quoted (literal) and double-quoted (escapes, may span lines) values.
 * Messages name line numbers, never content.
 */
export function parseAzureCredentials(text: string): AzureCredentials {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const kv = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*[=:]\s?(.*)$/.exec(line);
    if (!kv) throw new Error(`line ${i + 1} is not KEY=value`);
    const key = kv[1]!;
    let rest = kv[2]!.trim();
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const start = i + 1;
      let body = rest.slice(1);
      let end = closingQuote(body, quote);
      while (end < 0 && i + 1 < lines.length) {
        body += `\n${lines[++i]}`;
        end = closingQuote(body, quote);
      }
      if (end < 0) throw new Error(`line ${start}: the quoted value of ${key} is not closed`);
      const after = body.slice(end + 1).trim();
      if (after !== '' && !after.startsWith('#')) throw new Error(`line ${i + 1}: unexpected text after the quoted value of ${key}`);
      body = body.slice(0, end);
      out[key] = quote === "'" ? body : body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else {
      const comment = rest.search(/\s#/);
      if (comment >= 0) rest = rest.slice(0, comment);
      out[key] = rest.trim();
    }
  }
  return out;
}

function closingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === '\\') i++;
    else if (body[i] === quote) return i;
  }
  return -1;
}

/** The storage account a spec names: `storageAccount`, else the one in `storageAccountURI`. */
export function storageAccountOf(config: Record<string, string>): string | undefined {
  if (config.storageAccount) return config.storageAccount;
  if (!config.storageAccountURI) return undefined;
  let url: URL;
  try {
    url = new URL(config.storageAccountURI);
  } catch {
    return undefined;
  }
  // https://ACCOUNT.blob.core.windows.net, or an emulator's http://127.0.0.1:PORT/ACCOUNT.
  const hostAccount = /^([a-z0-9]{3,24})\.blob\./.exec(url.hostname)?.[1];
  if (hostAccount) return hostAccount;
  const pathAccount = url.pathname.split('/').find((s) => s !== '');
  return pathAccount && /^[a-z0-9]{3,24}$/.test(pathAccount) ? pathAccount : undefined;
}

/** How a location authenticates; decided from the config and the credentials (see the top of the file). */
export type AzureAuthPlan =
  | { kind: 'sharedKey'; accountKey: string }
  | { kind: 'servicePrincipal'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath?: string; certificate?: string; password?: string; sendCertificateChain: boolean }
  | { kind: 'default'; clientId?: string; tenantId?: string };

export function planAuth(config: Record<string, string>, creds: AzureCredentials): AzureAuthPlan {
  const keyVariable = config.storageAccountKeyEnvVar;
  if (keyVariable) {
    const accountKey = creds[keyVariable];
    if (!accountKey) throw new Error(`no storage account access key: ${keyVariable} (named by storageAccountKeyEnvVar) is not set`);
    return { kind: 'sharedKey', accountKey };
  }
  const useAAD = config.useAAD !== undefined && TRUE.includes(config.useAAD);
  if (!useAAD) {
    const accountKey = creds[DEFAULT_KEY_VARIABLE];
    if (accountKey) return { kind: 'sharedKey', accountKey };
    const armAsked = config.useAAD !== undefined || config.resourceGroup || config.subscriptionId || creds.AZURE_RESOURCE_GROUP || creds.AZURE_SUBSCRIPTION_ID;
    if (armAsked) {
      throw new Error(
        `fetching the storage account key through Azure Resource Manager is not supported: put ${DEFAULT_KEY_VARIABLE} in the credentials file, or set useAAD=true to use Azure AD`,
      );
    }
  }
  const tenantId = creds.AZURE_TENANT_ID;
  const clientId = creds.AZURE_CLIENT_ID;
  const clientSecret = creds.AZURE_CLIENT_SECRET;
  const certificate = creds.AZURE_CLIENT_CERTIFICATE;
  const certificatePath = creds.AZURE_CLIENT_CERTIFICATE_PATH;
  if (clientSecret || certificate || certificatePath) {
    if (!tenantId) throw new Error('a service principal needs AZURE_TENANT_ID');
    if (!clientId) throw new Error('a service principal needs AZURE_CLIENT_ID');
    if (clientSecret) return { kind: 'servicePrincipal', tenantId, clientId, clientSecret };
    const send = creds.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN ?? '';
    return {
      kind: 'certificate',
      tenantId,
      clientId,
      ...(certificate ? { certificate } : { certificatePath: certificatePath! }),
      ...(creds.AZURE_CLIENT_CERTIFICATE_PASSWORD ? { password: creds.AZURE_CLIENT_CERTIFICATE_PASSWORD } : {}),
      sendCertificateChain: send === '1' || send.toLowerCase() === 'true',
    };
  }
  return { kind: 'default', ...(clientId ? { clientId } : {}), ...(tenantId ? { tenantId } : {}) };
}

/** The blob service URL: `storageAccountURI`, else https://ACCOUNT.<the cloud's blob suffix>. */
export function endpointFor(config: Record<string, string>, creds: AzureCredentials): string {
  if (config.storageAccountURI) return config.storageAccountURI.replace(/\/+$/, '');
  return `https://${storageAccountOf(config)}.${cloudFor(creds.AZURE_CLOUD_NAME).blobSuffix}`;
}

/** The variables the provider reads, for a location without a credentials file (from the environment). */
const CREDENTIAL_VARIABLES = [
  DEFAULT_KEY_VARIABLE, 'AZURE_CLOUD_NAME', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE',
  'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN', 'AZURE_RESOURCE_GROUP',
  'AZURE_SUBSCRIPTION_ID', 'AZURE_ADDITIONALLY_ALLOWED_TENANTS',
];

function fromEnvironment(config: Record<string, string>, env: NodeJS.ProcessEnv = process.env): AzureCredentials {
  const out: Record<string, string> = {};
  for (const name of [...CREDENTIAL_VARIABLES, ...(config.storageAccountKeyEnvVar ? [config.storageAccountKeyEnvVar] : [])]) {
    const value = env[name];
    if (value) out[name] = value;
  }
  return out;
}

function isBool(value: string): boolean {
  return TRUE.includes(value) || FALSE.includes(value);
}

const CONTAINER = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;

export const azureProvider: StorageProvider<AzureCredentials> = {
  name: 'azure',
  aliases: ['azure', 'velero.io/azure'],
  summary: 'Azure Blob Storage (or Azurite); --bucket is the blob container, --config storageAccount=NAME',
  needsBucket: true,
  // Velero's plugin (object_store.go) takes exactly these; credentialsFile is read by the registry when
  // the location has no --credential-file.
  configKeys: [
    'resourceGroup', 'storageAccount', 'subscriptionId', 'blockSizeInBytes', 'activeDirectoryAuthorityURI', 'storageAccountURI', 'useAAD',
    'storageAccountKeyEnvVar', 'credentialsFile',
  ],

  validate(spec: LocationSpec): void {
    const config = spec.config ?? {};
    if (spec.bucket !== undefined && spec.bucket !== '$root' && !CONTAINER.test(spec.bucket)) {
      throw new Error(`--bucket "${spec.bucket}" is not a blob container name: 3 to 63 lower-case letters, digits and single dashes`);
    }
    for (const key of ['storageAccountURI', 'activeDirectoryAuthorityURI']) {
      const value = config[key];
      if (value !== undefined && !/^https?:\/\/[^/]/.test(value)) throw new Error(`config key ${key} must be an http:// or https:// URL`);
    }
    if (config.storageAccount !== undefined && !/^[a-z0-9]{3,24}$/.test(config.storageAccount)) {
      throw new Error('config key storageAccount must be 3 to 24 lower-case letters and digits');
    }
    if (!storageAccountOf(config)) {
      throw new Error(
        config.storageAccountURI
          ? 'config key storageAccount is required: storageAccountURI does not name the account'
          : 'config key storageAccount is required (the name of the storage account)',
      );
    }
    if (config.blockSizeInBytes !== undefined) {
      const size = /^\d+$/.test(config.blockSizeInBytes) ? Number(config.blockSizeInBytes) : NaN;
      if (!Number.isSafeInteger(size) || size < 1 || size > MAX_BLOCK_SIZE) {
        throw new Error(`config key blockSizeInBytes must be a whole number of bytes from 1 to ${MAX_BLOCK_SIZE} (100 MiB)`);
      }
    }
    if (config.useAAD !== undefined && !isBool(config.useAAD)) throw new Error('config key useAAD must be true or false');
    if (config.storageAccountKeyEnvVar !== undefined && !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(config.storageAccountKeyEnvVar)) {
      throw new Error('config key storageAccountKeyEnvVar must be the name of a variable of the credentials file');
    }
  },

  parseCredentials(text: string, spec: LocationSpec): AzureCredentials {
    const creds = parseAzureCredentials(text);
    // Refuse now what open would refuse, so the message names the file.
    planAuth(spec.config ?? {}, creds);
    cloudFor(creds.AZURE_CLOUD_NAME);
    return creds;
  },

  async open(spec: LocationSpec, credentials: AzureCredentials | undefined): Promise<ObjectStore> {
    const config = spec.config ?? {};
    const creds = credentials ?? fromEnvironment(config);
    const storageAccount = storageAccountOf(config)!;
    const where = `azure://${storageAccount}/${spec.bucket ?? ''}`;
    let plan: AzureAuthPlan;
    let cloud: { blobSuffix: string; authorityHost: string };
    try {
      plan = planAuth(config, creds);
      cloud = cloudFor(creds.AZURE_CLOUD_NAME);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    const { AzureBlobStore } = await import('../azure-store.ts');
    const common = {
      storageAccount,
      container: spec.bucket!,
      ...(spec.prefix !== undefined ? { prefix: spec.prefix } : {}),
      endpoint: endpointFor(config, creds),
      ...(config.blockSizeInBytes ? { blockSize: Number(config.blockSizeInBytes) } : {}),
    };
    if (plan.kind === 'sharedKey') return new AzureBlobStore({ ...common, auth: { kind: 'sharedKey', accountKey: plan.accountKey } });

    const identity = await import('@azure/identity');
    const tokenOptions = {
      authorityHost: config.activeDirectoryAuthorityURI || cloud.authorityHost,
      ...(creds.AZURE_ADDITIONALLY_ALLOWED_TENANTS ? { additionallyAllowedTenants: creds.AZURE_ADDITIONALLY_ALLOWED_TENANTS.split(';').filter(Boolean) } : {}),
    };
    let credential;
    if (plan.kind === 'servicePrincipal') {
      credential = new identity.ClientSecretCredential(plan.tenantId, plan.clientId, plan.clientSecret, tokenOptions);
    } else if (plan.kind === 'certificate') {
      const password = plan.password ? { certificatePassword: plan.password } : {};
      const options = { ...tokenOptions, sendCertificateChain: plan.sendCertificateChain };
      credential = plan.certificate
        ? new identity.ClientCertificateCredential(plan.tenantId, plan.clientId, { certificate: plan.certificate, ...password }, options)
        : new identity.ClientCertificateCredential(plan.tenantId, plan.clientId, { certificatePath: plan.certificatePath!, ...password }, options);
    } else {
      credential = new identity.DefaultAzureCredential({
        ...tokenOptions,
        ...(plan.tenantId ? { tenantId: plan.tenantId } : {}),
        ...(plan.clientId ? { managedIdentityClientId: plan.clientId, workloadIdentityClientId: plan.clientId } : {}),
      });
    }
    return new AzureBlobStore({ ...common, auth: { kind: 'token', credential } });
  },
};
