import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AzureBlobStore } from '../azure-store.ts';
import type { LocationSpec } from './provider.ts';
import { azureProvider, cloudFor, endpointFor, parseAzureCredentials, planAuth, storageAccountOf } from './azure.ts';

const SECRET = 'c2VjcmV0LWtleS1kby1ub3QtcHJpbnQ=';
const spec = (config: Record<string, string> = {}, bucket = 'velero'): LocationSpec => ({ provider: 'azure', bucket, config: { storageAccount: 'acct1', ...config } });

function message(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  assert.unreachable('must throw');
  return '';
}

test("the provider answers to Velero's names and takes Velero's keys", () => {
  assert.is(azureProvider.name, 'azure');
  assert.equal([...azureProvider.aliases], ['azure', 'velero.io/azure']);
  assert.ok(azureProvider.needsBucket);
  for (const key of ['resourceGroup', 'storageAccount', 'subscriptionId', 'blockSizeInBytes', 'activeDirectoryAuthorityURI', 'storageAccountURI', 'useAAD', 'storageAccountKeyEnvVar', 'credentialsFile']) {
    assert.ok(azureProvider.configKeys.includes(key), key);
  }
});

test("credentials file: Velero's KEY=value lines, comments, export, quotes, CRLF", () => {
  const text = [
    '# Velero credentials',
    `AZURE_STORAGE_ACCOUNT_ACCESS_KEY=${SECRET}`,
    'export AZURE_SUBSCRIPTION_ID = 0000-1111 # inline comment',
    "AZURE_RESOURCE_GROUP='rg with # hash'",
    'AZURE_CLIENT_CERTIFICATE="-----BEGIN CERT-----',
    'abc',
    '-----END CERT-----"',
    'AZURE_CLIENT_SECRET="a\\"b\\nc"',
    'AZURE_CLOUD_NAME: AzureChinaCloud',
    '',
  ].join('\r\n');
  assert.equal(parseAzureCredentials(text), {
    AZURE_STORAGE_ACCOUNT_ACCESS_KEY: SECRET,
    AZURE_SUBSCRIPTION_ID: '0000-1111',
    AZURE_RESOURCE_GROUP: 'rg with # hash',
    AZURE_CLIENT_CERTIFICATE: '-----BEGIN CERT-----\nabc\n-----END CERT-----',
    AZURE_CLIENT_SECRET: 'a"b\nc',
    AZURE_CLOUD_NAME: 'AzureChinaCloud',
  });
});

test('credentials file: broken lines are named by number, never quoted', () => {
  const bad = message(() => parseAzureCredentials(`AZURE_STORAGE_ACCOUNT_ACCESS_KEY=x\n${SECRET.slice(0, -1)} not a pair\n`));
  assert.is(bad, 'line 2 is not KEY=value');
  const open = message(() => parseAzureCredentials(`AZURE_CLIENT_SECRET="${SECRET}\n`));
  assert.match(open, /^line 1: the quoted value of AZURE_CLIENT_SECRET is not closed$/);
  assert.not.ok(open.includes(SECRET));
});

test('parseCredentials refuses what open would, without quoting values', () => {
  const missing = message(() => azureProvider.parseCredentials(`AZURE_STORAGE_ACCOUNT_ACCESS_KEY=${SECRET}\n`, spec({ storageAccountKeyEnvVar: 'MY_KEY' })));
  assert.match(missing, /MY_KEY \(named by storageAccountKeyEnvVar\) is not set/);
  assert.not.ok(missing.includes(SECRET));
  const cloud = message(() => azureProvider.parseCredentials(`AZURE_STORAGE_ACCOUNT_ACCESS_KEY=${SECRET}\nAZURE_CLOUD_NAME=MarsCloud\n`, spec()));
  assert.match(cloud, /AZURE_CLOUD_NAME is not a known cloud/);
  assert.not.match(cloud, /MarsCloud/);
  const arm = message(() => azureProvider.parseCredentials('AZURE_SUBSCRIPTION_ID=sub\nAZURE_RESOURCE_GROUP=rg\n', spec()));
  assert.match(arm, /Azure Resource Manager is not supported: put AZURE_STORAGE_ACCOUNT_ACCESS_KEY in the credentials file, or set useAAD=true/);
  const half = message(() => azureProvider.parseCredentials(`AZURE_CLIENT_ID=app\nAZURE_CLIENT_SECRET=${SECRET}\n`, spec({ useAAD: 'true' })));
  assert.is(half, 'a service principal needs AZURE_TENANT_ID');
});

test('how a location authenticates, as Velero decides it', () => {
  assert.equal(planAuth({}, { AZURE_STORAGE_ACCOUNT_ACCESS_KEY: 'k' }), { kind: 'sharedKey', accountKey: 'k' });
  assert.equal(planAuth({ storageAccountKeyEnvVar: 'OTHER' }, { OTHER: 'k2', AZURE_STORAGE_ACCOUNT_ACCESS_KEY: 'k' }), { kind: 'sharedKey', accountKey: 'k2' });
  // useAAD wins over a key in the file, as in Velero.
  const sp = { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's', AZURE_STORAGE_ACCOUNT_ACCESS_KEY: 'k' };
  assert.equal(planAuth({ useAAD: 'true' }, sp), { kind: 'servicePrincipal', tenantId: 't', clientId: 'c', clientSecret: 's' });
  assert.equal(planAuth({ useAAD: 'true' }, { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem', AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: 'true' }), {
    kind: 'certificate', tenantId: 't', clientId: 'c', certificatePath: '/c.pem', sendCertificateChain: true,
  });
  assert.equal(planAuth({ useAAD: 'true' }, { AZURE_CLIENT_ID: 'mi' }), { kind: 'default', clientId: 'mi' });
  assert.equal(planAuth({}, {}), { kind: 'default' });
  assert.throws(() => planAuth({ resourceGroup: 'rg', subscriptionId: 's' }, {}), /Azure Resource Manager/);
  assert.throws(() => planAuth({ useAAD: 'false' }, {}), /Azure Resource Manager/);
});

test('clouds and endpoints', () => {
  assert.is(endpointFor({ storageAccount: 'acct1' }, {}), 'https://acct1.blob.core.windows.net');
  assert.is(endpointFor({ storageAccount: 'acct1' }, { AZURE_CLOUD_NAME: 'AzureUSGovernmentCloud' }), 'https://acct1.blob.core.usgovcloudapi.net');
  assert.is(endpointFor({ storageAccount: 'acct1' }, { AZURE_CLOUD_NAME: 'azurechinacloud' }), 'https://acct1.blob.core.chinacloudapi.cn');
  assert.is(endpointFor({ storageAccountURI: 'http://127.0.0.1:10000/acct1/' }, {}), 'http://127.0.0.1:10000/acct1');
  assert.is(cloudFor('AzureCloud').authorityHost, 'https://login.microsoftonline.com');
  assert.is(storageAccountOf({ storageAccountURI: 'http://127.0.0.1:10000/devacct' }), 'devacct');
  assert.is(storageAccountOf({ storageAccountURI: 'https://myacct.blob.core.windows.net' }), 'myacct');
  assert.is(storageAccountOf({ storageAccountURI: 'https://blobs.example.com' }), undefined);
});

test('validate: one line for each mistake, no location name (the registry adds it)', () => {
  const cases: [LocationSpec, RegExp][] = [
    [{ provider: 'azure', bucket: 'velero', config: {} }, /^config key storageAccount is required \(the name of the storage account\)$/],
    [{ provider: 'azure', bucket: 'velero', config: { storageAccountURI: 'https://blobs.example.com' } }, /storageAccountURI does not name the account/],
    [spec({ storageAccount: 'Bad_Name' }), /storageAccount must be 3 to 24 lower-case letters and digits/],
    [spec({ blockSizeInBytes: '0' }), /^config key blockSizeInBytes must be a whole number of bytes from 1 to 104857600 \(100 MiB\)$/],
    [spec({ blockSizeInBytes: '104857601' }), /blockSizeInBytes must be/],
    [spec({ blockSizeInBytes: '1.5' }), /blockSizeInBytes must be/],
    [spec({ blockSizeInBytes: '1MiB' }), /blockSizeInBytes must be/],
    [spec({ useAAD: 'yes please' }), /^config key useAAD must be true or false$/],
    [spec({ storageAccountURI: 'ftp://x' }), /storageAccountURI must be an http/],
    [spec({}, 'Velero_Backups'), /--bucket "Velero_Backups" is not a blob container name/],
    [spec({}, 'a--b'), /not a blob container name/],
  ];
  for (const [s, re] of cases) {
    const text = message(() => azureProvider.validate!(s));
    assert.match(text, re);
    assert.not.ok(text.includes('\n'));
  }
  azureProvider.validate!(spec({ blockSizeInBytes: '104857600', useAAD: 'True' }));
  azureProvider.validate!({ provider: 'azure', bucket: 'velero', config: { storageAccountURI: 'http://127.0.0.1:10000/acct1' } });
});

test('open: the account key gives a Shared Key store at the endpoint; Azure AD a token store; nothing is contacted', async () => {
  const store = await azureProvider.open({ ...spec({ storageAccountURI: 'http://127.0.0.1:9/acct1', blockSizeInBytes: '4096' }), prefix: 'p' }, { AZURE_STORAGE_ACCOUNT_ACCESS_KEY: SECRET });
  // By name: a dynamic import under tsx's require hook can load a second copy of the module.
  assert.is(store.constructor.name, AzureBlobStore.name);
  assert.is(store.describe(), 'azure://acct1/velero/p/ at http://127.0.0.1:9/acct1');
  assert.not.ok(store.describe().includes(SECRET));
  const aad = await azureProvider.open(spec({ useAAD: 'true' }), { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: SECRET });
  assert.is(aad.describe(), 'azure://acct1/velero/ at https://acct1.blob.core.windows.net');
  const error = await azureProvider.open(spec({ resourceGroup: 'rg' }), {}).then(() => undefined, (e: Error) => e);
  assert.match(error?.message ?? '', /^azure:\/\/acct1\/velero: fetching the storage account key through Azure Resource Manager is not supported/);
});

test.run();
