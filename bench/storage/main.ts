// make bench-storage: for each object store of the harness — MinIO (aws), Azurite (azure) and
// fake-gcs-server (gcp) — uploads and downloads BENCH_STORAGE_MB (256) MiB of incompressible bytes,
// the shape of a backup tarball, (a) through our ObjectStore as a location opens it and (b) through
// the same SDK's plain upload and download (the floor), each BENCH_RUNS (5) times; the
// medians are compared as throughput ratios (ours / floor, goal ≥ 0.8); which side goes first
// alternates from run to run.
// Last line: {"bench":"storage","mb":…,"aws":{"put_ratio":…,"get_ratio":…},"azure":{…},"gcp":{…}}
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { downCluster, upCluster } from '../../hack/harness/cluster.ts';
import type { ClusterStatus } from '../../hack/harness/types.ts';
import type { ObjectStore } from '../../internal/storage/object-store.ts';
import { readCredentialsFile } from '../../internal/storage/providers/aws-credentials.ts';
import { openStore } from '../../internal/storage/providers/registry.ts';

const MB = Number(process.env.BENCH_STORAGE_MB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CLUSTER = 'bench-storage';
const PIECE = 1024 * 1024;

/** The same bytes for every upload: MB pieces of 1 MiB, fed as a stream as the tarball writer feeds it. */
const piece = randomBytes(PIECE);
const source = () =>
  Readable.from(
    (function* () {
      for (let i = 0; i < MB; i++) yield piece;
    })(),
    { objectMode: false },
  );

async function drain(stream: NodeJS.ReadableStream | Readable): Promise<number> {
  let bytes = 0;
  await pipeline(stream as Readable, new Writable({ write: (chunk: Buffer, _e, done) => ((bytes += chunk.length), done()) }));
  return bytes;
}

interface Side {
  put(key: string): Promise<void>;
  get(key: string): Promise<number>;
}

function ours(store: ObjectStore): Side {
  return { put: (key) => store.put(key, source()), get: async (key) => drain(await store.get(key)) };
}

function awsFloor(s: ClusterStatus): Side {
  const client = new S3Client({ region: s.minio.region, endpoint: s.minio.endpoint, forcePathStyle: true, credentials: readCredentialsFile(s.minio.credentialsFile) });
  return {
    put: async (key) => void (await new Upload({ client, params: { Bucket: s.minio.bucket, Key: `floor/${key}`, Body: source() } }).done()),
    get: async (key) => drain((await client.send(new GetObjectCommand({ Bucket: s.minio.bucket, Key: `floor/${key}` }))).Body as Readable),
  };
}

function azureFloor(s: ClusterStatus): Side {
  const a = s.azure!;
  const key = /^AZURE_STORAGE_ACCOUNT_ACCESS_KEY=(.*)$/m.exec(readFileSync(a.credentialsFile, 'utf8'))![1]!.trim();
  const container = new BlobServiceClient(a.endpoint, new StorageSharedKeyCredential(a.storageAccount, key)).getContainerClient(a.container);
  return {
    put: async (name) => void (await container.getBlockBlobClient(`floor/${name}`).uploadStream(source())),
    get: async (name) => drain((await container.getBlobClient(`floor/${name}`).download()).readableStreamBody!),
  };
}

function gcpFloor(s: ClusterStatus): Side {
  const g = s.gcs!;
  const bucket = new Storage({ apiEndpoint: g.endpoint, projectId: 'bench' }).bucket(g.bucket);
  return {
    put: (name) => pipeline(source(), bucket.file(`floor/${name}`).createWriteStream({ resumable: true })),
    get: (name) => drain(bucket.file(`floor/${name}`).createReadStream()),
  };
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (n: number) => Math.round(n * 100) / 100;

async function compare(name: string, mine: Side, floor: Side): Promise<{ put_ratio: number; get_ratio: number; put_mb_s: number; get_mb_s: number; floor_put_mb_s: number; floor_get_mb_s: number }> {
  const t = { put: [] as number[], get: [] as number[], floorPut: [] as number[], floorGet: [] as number[] };
  for (let r = 1; r <= RUNS; r++) {
    const key = `bench/${r}.tar.gz`;
    // Who goes first alternates, so neither side always meets the store just after the other's load.
    const sides = [
      { label: 'floor', side: floor, put: t.floorPut, get: t.floorGet },
      { label: 'ours', side: mine, put: t.put, get: t.get },
    ];
    if (r % 2 === 0) sides.reverse();
    for (const { side, put } of sides) put.push(await seconds(() => side.put(key)));
    for (const { label, side, get } of sides) {
      let got = 0;
      get.push(await seconds(async () => (got = await side.get(key))));
      if (got !== MB * PIECE) throw new Error(`${name}: ${label} read ${got} bytes, wrote ${MB * PIECE}`);
    }
    console.log(`${name} run ${r}: put ours ${t.put.at(-1)!.toFixed(2)} s / floor ${t.floorPut.at(-1)!.toFixed(2)} s; get ours ${t.get.at(-1)!.toFixed(2)} s / floor ${t.floorGet.at(-1)!.toFixed(2)} s`);
  }
  const mbps = (s: number) => round(MB / s);
  const out = {
    put_ratio: round(median(t.floorPut) / median(t.put)),
    get_ratio: round(median(t.floorGet) / median(t.get)),
    put_mb_s: mbps(median(t.put)),
    get_mb_s: mbps(median(t.get)),
    floor_put_mb_s: mbps(median(t.floorPut)),
    floor_get_mb_s: mbps(median(t.floorGet)),
  };
  console.log(`${name}: put ${out.put_mb_s} MB/s vs floor ${out.floor_put_mb_s} (ratio ${out.put_ratio}), get ${out.get_mb_s} MB/s vs floor ${out.floor_get_mb_s} (ratio ${out.get_ratio}); goal ≥ 0.8`);
  return out;
}

async function main(): Promise<void> {
  const s = await upCluster(CLUSTER);
  try {
    if (!s.azure || !s.gcs) throw new Error('the harness cluster has no Azurite or fake-gcs-server');
    const aws = await openStore('minio', { provider: 'aws', bucket: s.minio.bucket, config: { region: s.minio.region, s3Url: s.minio.endpoint, s3ForcePathStyle: 'true' }, credentialsFile: s.minio.credentialsFile });
    const azure = await openStore('azurite', { provider: 'azure', bucket: s.azure.container, config: { storageAccount: s.azure.storageAccount, storageAccountURI: s.azure.endpoint }, credentialsFile: s.azure.credentialsFile });
    const gcp = await openStore('fake-gcs', { provider: 'gcp', bucket: s.gcs.bucket, config: { storeEndpoint: s.gcs.endpoint }, credentialsFile: s.gcs.credentialsFile });
    const result = {
      bench: 'storage',
      mb: MB,
      aws: await compare('aws (MinIO)', ours(aws), awsFloor(s)),
      azure: await compare('azure (Azurite)', ours(azure), azureFloor(s)),
      gcp: await compare('gcp (fake-gcs-server)', ours(gcp), gcpFloor(s)),
    };
    console.log(JSON.stringify(result));
  } finally {
    await downCluster(CLUSTER);
  }
}

await main();
