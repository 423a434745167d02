// Stages a backup's items on local disk before restoring: the tarball is read once as a stream
// (internal/archive refuses unsafe or corrupt input) and each item's plain copy — the preferred
// version at backup time — is appended to one staging file in a temp dir. Only each item's offset
// and length stay in memory, so a backup of any size restores in bounded memory, and resources can
// then be visited in priority order (Velero extracts the tarball the same way). One file, not one
// per item: creating 10,000 small files took 5.6 s of a 10,000-item restore, appending takes ms.
import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { readBackupArchive } from '../archive/reader.ts';

export interface StagedItem {
  namespace?: string;
  name: string;
  /** Where the item's bytes are in the staging file. */
  offset: number;
  length: number;
}

export class StagedBackup {
  private constructor(
    readonly dir: string,
    /** groupResource → items */
    readonly items: Map<string, StagedItem[]>,
    private readonly file: FileHandle,
  ) {}

  static async stage(tarball: Readable): Promise<StagedBackup> {
    const dir = await mkdtemp(join(tmpdir(), 'kubectl-velero-restore-'));
    const path = join(dir, 'items');
    const items = new Map<string, StagedItem[]>();
    const out = createWriteStream(path, { highWaterMark: 1 << 20 });
    // Always listened to: a write still in flight when a failure destroys the stream errors late.
    let writeError: Error | undefined;
    out.on('error', (error) => (writeError ??= error));
    try {
      let offset = 0;
      for await (const entry of readBackupArchive(tarball)) {
        if (!entry.item || entry.item.versionDir !== '') continue;
        if (writeError) throw writeError;
        await write(out, entry.body);
        const list = items.get(entry.item.groupResource) ?? [];
        list.push({ ...(entry.item.namespace ? { namespace: entry.item.namespace } : {}), name: entry.item.name, offset, length: entry.body.length });
        items.set(entry.item.groupResource, list);
        offset += entry.body.length;
      }
      out.end();
      await finished(out);
      return new StagedBackup(dir, items, await open(path, 'r'));
    } catch (error) {
      out.destroy();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  async read(item: StagedItem): Promise<Record<string, unknown>> {
    const buffer = Buffer.allocUnsafe(item.length);
    const { bytesRead } = await this.file.read(buffer, 0, item.length, item.offset);
    if (bytesRead !== item.length) throw new Error(`the staged copy of ${item.namespace ? `${item.namespace}/` : ''}${item.name} is short (${bytesRead} of ${item.length} bytes)`);
    return JSON.parse(buffer.toString('utf8')) as Record<string, unknown>;
  }

  async dispose(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Appends, waiting for the stream to drain when its buffer is full (bounded memory). */
async function write(out: Writable, chunk: Buffer): Promise<void> {
  if (chunk.length === 0 || out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => (out.off('close', onClose), resolve());
    const onClose = () => (out.off('drain', onDrain), reject(out.errored ?? new Error('the staging file was closed')));
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}
