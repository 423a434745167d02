// ObjectStore over a local directory: the default location, so `backup create x` works with no
// set-up. Writes go to a temp file in the same directory and are renamed into place, so an
// interrupted or aborted write never leaves a partial object under its real key. A full disk is
// the one write failure a user fixes outside the tool, so it is told in words, with the directory.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { checkKey } from './keys.ts';
import { ObjectNotFoundError, type ObjectStore, type PutOptions, StorageUnavailableError } from './object-store.ts';

const TEMP_MARK = '.kv-partial-';

/** What the errno of a full disk or exhausted quota says, in words. */
const DISK_FULL: Record<string, string> = { ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded' };

export class LocalStore implements ObjectStore {
  constructor(private readonly root: string) {}

  describe(): string {
    return `file://${this.root}`;
  }

  private path(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  async put(key: string, body: Readable | Buffer | string, options: PutOptions = {}): Promise<void> {
    const target = this.path(key);
    const temp = join(dirname(target), `${TEMP_MARK}${randomBytes(6).toString('hex')}`);
    const source = typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([Buffer.from(body)]) : body;
    try {
      await mkdir(dirname(target), { recursive: true });
      await pipeline(source, createWriteStream(temp), { signal: options.signal });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw this.diskFull(error, key) ?? error;
    }
  }

  /** A full disk as StorageUnavailableError (so the location's name is added), else undefined. */
  private diskFull(error: unknown, key: string): StorageUnavailableError | undefined {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const words = DISK_FULL[code];
    if (!words) return undefined;
    return new StorageUnavailableError(`the disk holding ${this.describe()} is full (${code}: ${words}) while writing ${key}: free space there or use another location`);
  }

  async get(key: string): Promise<Readable> {
    const path = this.path(key);
    try {
      if (!(await stat(path)).isFile()) throw new ObjectNotFoundError(key, this.describe());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(key, this.describe());
      throw error;
    }
    return createReadStream(path);
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    let file;
    try {
      file = await open(this.path(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') throw new ObjectNotFoundError(key, this.describe());
      throw error;
    }
    try {
      const buffer = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await file.read(buffer, read, length - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return buffer.subarray(0, read);
    } finally {
      await file.close();
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch {
      return false;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    const keys: string[] = [];
    await this.walk(this.root, keys);
    for (const key of keys.sort()) if (key.startsWith(prefix)) yield key;
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(full, out);
      else if (entry.isFile() && !entry.name.startsWith(TEMP_MARK)) out.push(relative(this.root, full).split(sep).join('/'));
    }
  }

  async listCommonPrefixes(prefix: string, delimiter = '/'): Promise<string[]> {
    const found = new Set<string>();
    for await (const key of this.list(prefix)) {
      const rest = key.slice(prefix.length);
      const at = rest.indexOf(delimiter);
      if (at >= 0) found.add(prefix + rest.slice(0, at + delimiter.length));
    }
    return [...found].sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
