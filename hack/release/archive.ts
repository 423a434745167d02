// Release archives: .tar.gz (tar-stream + zlib) for Linux and macOS, .zip for Windows (a small
// writer of its own: Krew reads plain deflate entries). Entries carry a fixed time (the commit's,
// or SOURCE_DATE_EPOCH) and no owner, so the same inputs give byte-identical archives and hashes.
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { createGzip, crc32, deflateRawSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';

export interface ArchiveEntry {
  /** Name inside the archive (no directories: Krew's `files` pick them at the top). */
  name: string;
  /** File on disk. */
  source: string;
  mode: number;
}

export async function writeTarGz(out: string, entries: ArchiveEntry[], mtime: Date): Promise<void> {
  const tar = pack();
  const done = pipeline(tar, createGzip({ level: 9 }), createWriteStream(out));
  for (const e of entries) {
    const size = statSync(e.source).size;
    await new Promise<void>((resolve, reject) => {
      const entry = tar.entry({ name: e.name, size, mode: e.mode, mtime, uid: 0, gid: 0, uname: '', gname: '', type: 'file' }, (err) =>
        err ? reject(err) : resolve(),
      );
      createReadStream(e.source).on('error', reject).pipe(entry);
    });
  }
  tar.finalize();
  await done;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(d.getUTCFullYear(), 1980);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** A zip of deflated entries, with Unix modes in the external attributes. No zip64: entries < 4 GiB. */
export async function writeZip(out: string, entries: ArchiveEntry[], mtime: Date): Promise<void> {
  const { time, date } = dosDateTime(mtime);
  const ws = createWriteStream(out);
  const write = (b: Buffer) => new Promise<void>((resolve, reject) => ws.write(b, (err) => (err ? reject(err) : resolve())));
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = readFileSync(e.source);
    const crc = crc32(data);
    const body = deflateRawSync(data, { level: 9 });
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 — so the external attributes hold the mode
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt16LE(time, 12);
    cd.writeUInt16LE(date, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(((0o100000 | e.mode) << 16) >>> 0, 38); // regular file + permission bits
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    await write(local);
    await write(name);
    await write(body);
    offset += local.length + name.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(cdBuf);
  await write(end);
  await new Promise<void>((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
