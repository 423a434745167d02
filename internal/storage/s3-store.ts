// ObjectStore for S3 and S3-compatible stores (MinIO): Velero's `aws` provider. Streams are uploaded
// with multipart uploads (@aws-sdk/lib-storage), so a large tarball is never held in memory whole.
// Errors become one line that names the location, never the credentials.
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checkKey, normalisePrefix } from './keys.ts';
import { ObjectNotFoundError, type ObjectStore, type PutOptions, StorageUnavailableError } from './object-store.ts';
import type { StaticCredentials } from './providers/aws-credentials.ts';

export interface S3StoreOptions {
  bucket: string;
  prefix?: string;
  region?: string;
  /** Velero's `s3Url`: an S3-compatible endpoint such as MinIO. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** From a credentials file; without them the AWS SDK's default chain is used. */
  credentials?: StaticCredentials;
  /** Multipart part size in bytes (minimum 5 MiB). */
  partSize?: number;
  /** Velero's kmsKeyId: objects are written with SSE-KMS under that key. */
  kmsKeyId?: string;
  /** Velero's serverSideEncryption (e.g. AES256, aws:kms). */
  serverSideEncryption?: string;
  /** Velero's tagging: `k1=v1&k2=v2`, set on every object written. */
  tagging?: string;
  /** PEM text of the CA bundle that signs the endpoint's certificate (Velero's caCert). */
  caCert?: string;
  insecureSkipTLSVerify?: boolean;
}

/**
 * S3's smallest part. The SDK gathers each part into one buffer and keeps two in flight, so the
 * part size is memory: 8 MiB parts cost a backup of 100,000 objects ~20 MB more at its peak, and
 * were no faster against MinIO here.
 */
const PART_SIZE = 5 * 1024 * 1024;

/**
 * SigV4 signs a hash of the body unless told the payload is unsigned. For the repository's packs
 * that hash was a second SHA-256 pass over every byte uploaded (and the store's check of it a
 * third), where each chunk is already checked against its id when read.
 */
const unsignedPayload = (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => {
  const request = args.request as { headers?: Record<string, string> };
  if (request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  return next(args);
};

export class S3Store implements ObjectStore {
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly options: S3StoreOptions) {
    this.prefix = normalisePrefix(options.prefix);
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.caCert || options.insecureSkipTLSVerify
        ? { requestHandler: { httpsAgent: new HttpsAgent({ keepAlive: true, ...(options.caCert ? { ca: options.caCert } : {}), rejectUnauthorized: !options.insecureSkipTLSVerify }) } }
        : {}),
      maxAttempts: 4,
      // Checksums only where an operation needs them: S3-compatible stores (older MinIO, Ceph)
      // refuse the SDK's default CRC32 headers, and every PUT paid a CRC32 pass over its body.
      // Backups and volume data carry their own checks.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  describe(): string {
    const where = this.options.endpoint ? ` at ${this.options.endpoint}` : '';
    return `s3://${this.options.bucket}/${this.prefix}${where}`;
  }

  private key(key: string): string {
    return this.prefix + checkKey(key);
  }

  /** Turns SDK and network errors into one line a user can act on. */
  private explain(error: unknown, action: string): Error {
    if (error instanceof ObjectNotFoundError || error instanceof StorageUnavailableError) return error;
    const name = (error as { name?: string }).name ?? '';
    const code = (error as { code?: string }).code ?? '';
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    const where = this.describe();
    if (name === 'NoSuchBucket') return new StorageUnavailableError(`bucket "${this.options.bucket}" does not exist (${where})`);
    if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken'].includes(name)) {
      // The store's own reason tells a key that does not exist from one disabled or revoked (MinIO:
      // "Your account is disabled"), which happens to a location that worked a moment ago.
      const reason = error instanceof Error && error.message && error.message !== name ? `: ${error.message}` : '';
      return new StorageUnavailableError(`access denied: the object store rejected the credentials (${name}${reason}) while trying to ${action} in ${where}: check the location's credentials file`);
    }
    if (name === 'AccessDenied' || status === 403) return new StorageUnavailableError(`access denied while trying to ${action} in ${where}`);
    if (['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE'].includes(code) || name === 'TimeoutError') {
      return new StorageUnavailableError(`cannot reach the object store ${where} (${code || name}) while trying to ${action}`);
    }
    const message = error instanceof Error ? error.message : String(error);
    return new StorageUnavailableError(`could not ${action} in ${where}: ${name ? `${name}: ` : ''}${message}`);
  }

  async put(key: string, body: Readable | Buffer | string, options: PutOptions = {}): Promise<void> {
    const Key = this.key(key);
    const common = {
      Bucket: this.options.bucket,
      Key,
      ...(options.contentType ? { ContentType: options.contentType } : {}),
      ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId, ServerSideEncryption: 'aws:kms' as const } : {}),
      ...(this.options.serverSideEncryption ? { ServerSideEncryption: this.options.serverSideEncryption as ServerSideEncryption } : {}),
      ...(this.options.tagging ? { Tagging: this.options.tagging } : {}),
    };
    try {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        const command = new PutObjectCommand({ ...common, Body: body });
        // The SDK's middleware types are in @smithy/types, which is not a dependency of ours.
        if (options.selfChecked) command.middlewareStack.add(unsignedPayload as never, { step: 'build', name: 'kubectlVeleroUnsignedPayload' });
        await this.client.send(command, { abortSignal: options.signal });
        return;
      }
      // Multipart: parts are uploaded as the stream produces them; an abort or failure aborts the
      // multipart upload, so no partial object appears under Key.
      const upload = new Upload({ client: this.client, params: { ...common, Body: body }, partSize: this.options.partSize ?? PART_SIZE, queueSize: 2, leavePartsOnError: false });
      const onAbort = () => void upload.abort().catch(() => undefined);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await upload.done();
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('upload aborted');
      throw this.explain(error, `write ${key}`);
    }
  }

  async get(key: string, signal?: AbortSignal): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }), { abortSignal: signal });
      return out.Body as Readable;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') throw new ObjectNotFoundError(key, this.describe());
      throw this.explain(error, `read ${key}`);
    }
  }

  async getRange(key: string, start: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key), Range: `bytes=${start}-${start + length - 1}` }), { abortSignal: signal });
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') throw new ObjectNotFoundError(key, this.describe());
      // A range that starts past the end: like a short read, nothing there.
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 416) return Buffer.alloc(0);
      throw this.explain(error, `read ${key}`);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
      return true;
    } catch (error) {
      const name = (error as { name?: string }).name;
      // HEAD has no body, so a missing bucket is a bare 404 (NotFound) too: tell the two apart.
      if (name === 'NotFound' || name === 'NoSuchKey' || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) {
        await this.checkBucket();
        return false;
      }
      throw this.explain(error, `check ${key}`);
    }
  }

  private async checkBucket(): Promise<void> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, MaxKeys: 1 }));
    } catch (error) {
      throw this.explain(error, 'list the bucket');
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
      } catch (error) {
        throw this.explain(error, `list ${prefix}`);
      }
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key.slice(this.prefix.length);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async listCommonPrefixes(prefix: string, delimiter = '/'): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.prefix + prefix, Delimiter: delimiter, ContinuationToken: token }));
      } catch (error) {
        throw this.explain(error, `list ${prefix}`);
      }
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
    } catch (error) {
      throw this.explain(error, `delete ${key}`);
    }
  }
}
