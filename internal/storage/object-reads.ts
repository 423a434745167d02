// Reading small objects whole (metadata JSON, gzip'd logs and results): the one place that turns a
// missing key into `undefined` instead of an error, for the backup and restore stores alike.
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { ObjectNotFoundError, type ObjectStore } from './object-store.ts';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** The object's bytes, or undefined when the key does not exist. */
export async function readIfExists(store: ObjectStore, key: string): Promise<Buffer | undefined> {
  try {
    return await readAll(await store.get(key));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}

export async function readJsonIfExists<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const data = await readIfExists(store, key);
  return data ? (JSON.parse(data.toString('utf8')) as T) : undefined;
}

/** A gzip'd object (`*.gz`), unzipped; undefined when missing. */
export async function readGunzippedIfExists(store: ObjectStore, key: string): Promise<Buffer | undefined> {
  const data = await readIfExists(store, key);
  return data ? gunzipSync(data) : undefined;
}

/** A gzip'd JSON object (`*.json.gz`), parsed; undefined when missing. */
export async function readGzJsonIfExists<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const data = await readGunzippedIfExists(store, key);
  return data ? (JSON.parse(data.toString('utf8')) as T) : undefined;
}
