// Stages a backup's items on local disk before restoring: the tarball is read once as a stream
// (internal/archive refuses unsafe or corrupt input) and each item's plain copy — the preferred
// version at backup time — is written to a temp dir. Only paths stay in memory, so a backup of any
// size restores in bounded memory, and resources can then be visited in priority order (Velero
// extracts the tarball the same way).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { readBackupArchive } from '../archive/reader.ts';

export interface StagedItem {
  namespace?: string;
  name: string;
  file: string;
}

export class StagedBackup {
  private constructor(
    readonly dir: string,
    /** groupResource → items */
    readonly items: Map<string, StagedItem[]>,
  ) {}

  static async stage(tarball: Readable): Promise<StagedBackup> {
    const dir = await mkdtemp(join(tmpdir(), 'kubectl-velero-restore-'));
    const items = new Map<string, StagedItem[]>();
    try {
      let n = 0;
      for await (const entry of readBackupArchive(tarball)) {
        if (!entry.item || entry.item.versionDir !== '') continue;
        const file = join(dir, String(n++));
        await writeFile(file, entry.body);
        const list = items.get(entry.item.groupResource) ?? [];
        list.push({ ...(entry.item.namespace ? { namespace: entry.item.namespace } : {}), name: entry.item.name, file });
        items.set(entry.item.groupResource, list);
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return new StagedBackup(dir, items);
  }

  async read(item: StagedItem): Promise<Record<string, unknown>> {
    return JSON.parse(await readFile(item.file, 'utf8')) as Record<string, unknown>;
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
