// The tracker on real archives, from GNU tar and from tar-stream, whatever the read sizes; and on
// streams it must give up on, quietly. Expected offsets never come from parsing headers here: for
// GNU tar they come from its own listing (`tar -tvR` gives each member's first block and its size),
// for tar-stream from packing each entry alone (the bytes an entry adds to the archive).
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, linkSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TarBoundaryTracker } from './tar-boundaries.ts';

const BLOCK = 512;
const padded = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

/** A deterministic PRNG (mulberry32): the same pieces on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Feeds `data` in pieces of the given sizes (the last piece takes the rest); boundaries as absolute offsets. */
function boundaries(data: Buffer, sizes: Iterable<number> = []): number[] {
  const tracker = new TarBoundaryTracker();
  const out: number[] = [];
  let at = 0;
  const feed = (piece: Buffer): void => {
    const got = tracker.push(piece);
    for (const o of got) assert.ok(o >= 0 && o < piece.length, `offset ${o} outside a piece of ${piece.length}`);
    out.push(...got.map((o) => o + at));
    at += piece.length;
  };
  for (const n of sizes) {
    if (at >= data.length) break;
    feed(data.subarray(at, at + n));
  }
  feed(data.subarray(at));
  return out;
}

/** The same absolute offsets however the stream is cut: 1-byte pieces, random pieces, and a cut on, before and after each boundary. */
function assertSplitInvariant(data: Buffer, expected: number[]): void {
  assert.equal(boundaries(data, [data.length]), expected, 'one piece');
  assert.equal(boundaries(data, { *[Symbol.iterator]() { for (;;) yield 1; } }), expected, '1-byte pieces');
  for (const seed of [1, 2, 3, 4, 5]) {
    const random = prng(seed);
    const max = [3, 100, 600, 2000, 70_000][seed - 1]!;
    const sizes = { *[Symbol.iterator]() { for (;;) yield 1 + Math.floor(random() * max); } };
    assert.equal(boundaries(data, sizes), expected, `random pieces up to ${max} bytes`);
  }
  for (const b of expected) {
    for (const cut of [b - 1, b, b + 1, b + 100, b + 511]) {
      if (cut > 0 && cut < data.length) assert.equal(boundaries(data, [cut]), expected, `cut at ${cut}`);
    }
  }
}

/** Pipes into a tar-stream pack and collects what comes out. */
async function packed(fill: (pack: tar.Pack) => void): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  fill(pack);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

type Entry = { header: Partial<tar.Header> & { name: string }; body?: Buffer };

function addEntry(pack: tar.Pack, e: Entry): void {
  if (e.body) pack.entry(e.header, e.body);
  else pack.entry(e.header);
}

const mtime = new Date(1_700_000_000_000);
const body = (n: number, seed = n): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

/** A tar-stream archive of the entries, with the offsets we expect computed from each entry packed alone. */
async function tarStreamArchive(entries: Entry[]): Promise<{ archive: Buffer; expected: number[] }> {
  const expected: number[] = [];
  let at = 0;
  for (const e of entries) {
    // Alone, an entry is its blocks then the 1024-byte end of archive.
    const alone = (await packed((p) => addEntry(p, e))).length - 1024;
    expected.push(at);
    const size = e.body?.length ?? 0;
    // Content is the entry's last padded(size) bytes: after any pax header before it.
    if (size > 0) expected.push(at + alone - padded(size));
    at += alone;
  }
  expected.push(at); // the end-of-archive block's start, then nothing
  const archive = await packed((p) => entries.forEach((e) => addEntry(p, e)));
  assert.is(archive.length, at + 1024);
  return { archive, expected };
}

test('tar-stream (ustar and pax): a cut at each header and at each non-empty content, however the stream is split', async () => {
  // A file whose content is itself a tar: data is skipped by counting, its headers are not ours.
  const inner = await packed((p) => p.entry({ name: 'inner', mtime }, body(700)));
  const entries: Entry[] = [
    { header: { name: 'dir', type: 'directory', mtime } },
    { header: { name: 'dir/zero', mtime }, body: Buffer.alloc(0) },
    ...[1, 511, 512, 513, 100_000].map((n) => ({ header: { name: `dir/f${n}`, mtime }, body: body(n) })),
    { header: { name: 'l'.repeat(120), mtime }, body: body(700) }, // no '/' to split at: a pax header
    { header: { name: 'link', type: 'symlink', linkname: 'dir/f1', mtime } },
    { header: { name: 'longlink', type: 'symlink', linkname: 't/'.repeat(70), mtime } }, // pax linkpath
    { header: { name: 'hard', type: 'link', linkname: 'dir/f1', mtime } },
    { header: { name: 'attrs', mtime, pax: { 'SCHILY.xattr.user.a': 'b' } }, body: body(10) },
    { header: { name: 'empty-pax', mtime, pax: { comment: 'x' } }, body: Buffer.alloc(0) },
    { header: { name: 'inner.tar', mtime }, body: inner },
  ];
  const { archive, expected } = await tarStreamArchive(entries);
  // Pax entries are there: one cut before the 'x' header, then one at the content, none at the real header.
  assert.is(expected.filter((o) => archive[o + 156] === 'x'.charCodeAt(0)).length, 4);
  assertSplitInvariant(archive, expected);
});

function gnuListing(archive: Buffer): { entries: { block: number; size: number; line: string }[]; end: number } {
  const listing = execFileSync('tar', ['-tvR', '--numeric-owner', '-f', '-'], { input: archive, encoding: 'utf8' });
  const entries: { block: number; size: number; line: string }[] = [];
  let end = -1;
  for (const line of listing.split('\n').filter(Boolean)) {
    const nul = /^block (\d+): \*\* Block of NULs \*\*$/.exec(line);
    const member = /^block (\d+): \S+ \S+\s+(\d+) /.exec(line);
    if (nul) end = Number(nul[1]);
    else if (member) entries.push({ block: Number(member[1]), size: Number(member[2]), line });
    else throw new Error(`unexpected listing line: ${line}`);
  }
  assert.ok(end > 0, 'the listing shows the end of the archive');
  return { entries, end };
}

/** From the listing: each member's first block (its long-name header, if any), and its content = its data's last padded(size) bytes before the next member. */
function expectedFromListing(archive: Buffer): number[] {
  const { entries, end } = gnuListing(archive);
  const expected: number[] = [];
  entries.forEach((e, i) => {
    expected.push(e.block * BLOCK);
    const next = (entries[i + 1]?.block ?? end) * BLOCK;
    if (e.size > 0) expected.push(next - padded(e.size));
  });
  expected.push(end * BLOCK);
  return expected;
}

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tar-boundaries-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** As the backup runs it, but sorted so the listing order is the same on every run. */
function gnuTar(dir: string, ...extra: string[]): Buffer {
  return execFileSync('tar', ['--numeric-owner', '--sort=name', ...extra, '-cf', '-', '-C', dir, '.'], { maxBuffer: 64 << 20 });
}

test('GNU tar (format gnu): long names, links, directories; the same cuts however the stream is split', async () => {
  const inner = await packed((p) => p.entry({ name: 'inner', mtime }, body(700)));
  withTempDir((dir) => {
    for (const n of [0, 1, 511, 512, 513, 100_000]) writeFileSync(join(dir, `f${n}`), body(n));
    writeFileSync(join(dir, 'n'.repeat(120)), body(700)); // > 100 chars: an 'L' entry
    writeFileSync(join(dir, 'inner.tar'), inner);
    symlinkSync('f1', join(dir, 'link'));
    symlinkSync('t/'.repeat(70), join(dir, 'longlink')); // > 100 chars: a 'K' entry
    linkSync(join(dir, 'f513'), join(dir, 'hard'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'inner'), body(3));
    const archive = gnuTar(dir);
    assert.ok(archive.includes('././@LongLink'), 'GNU long name/link entries are present');
    const expected = expectedFromListing(archive);
    // 14 members (./ f0 f1 f100000 f511 f512 f513 hard inner.tar link longlink nnn… sub/ sub/inner),
    // 8 with content (hard is a link to f513, stored first), then the end.
    assert.is(expected.length, 14 + 8 + 1);
    assertSplitInvariant(archive, expected);
  });
});

test('GNU sparse files: content starts after the extension blocks of the sparse map', () => {
  withTempDir((dir) => {
    // Forty islands in 10 MiB of holes: more map entries than the header holds (4) or one extension block (21).
    const fd = openSync(join(dir, 'sparse'), 'w');
    ftruncateSync(fd, 10 << 20);
    for (let i = 0; i < 40; i++) writeSync(fd, 'x', i * 200_000);
    closeSync(fd);
    writeFileSync(join(dir, 'z-after'), body(1000));
    const archive = gnuTar(dir, '--sparse');
    const { entries, end } = gnuListing(archive);
    const sparse = entries.find((e) => e.line.endsWith('./sparse'));
    assert.ok(sparse, 'the sparse file is listed');
    const h = sparse.block * BLOCK;
    assert.is(String.fromCharCode(archive[h + 156]!), 'S', 'archived as a GNU sparse entry');
    assert.ok(archive[h + 482] !== 0, 'with extension blocks');
    // The listing shows the file's full size; what the archive holds is the header's size field.
    const stored = parseInt(archive.subarray(h + 124, h + 136).toString('latin1'), 8);
    const next = entries[entries.indexOf(sparse) + 1]!.block * BLOCK;
    const content = next - padded(stored);
    assert.ok(content >= h + 3 * BLOCK, 'two extension blocks at least before the content');
    assert.is(h, 512); // after ./
    assert.is(end * BLOCK, next + BLOCK + padded(1000)); // z-after is last
    const expected = [0, h, content, next, next + BLOCK, end * BLOCK];
    assertSplitInvariant(archive, expected);
  });
});

/** A 512-byte header with a valid checksum. */
function header(fields: { name?: string; size?: number | Buffer; type?: string; magic?: string; signed?: boolean } = {}): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(fields.name ?? 'file', 0, 'latin1');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  if (Buffer.isBuffer(fields.size)) fields.size.copy(b, 124);
  else b.write(`${(fields.size ?? 0).toString(8).padStart(11, '0')}\0`, 124);
  b.write('14712345670\0', 136);
  b.write(fields.type ?? '0', 156);
  b.write(fields.magic ?? 'ustar\x0000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += fields.signed && x >= 0x80 ? x - 0x100 : x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

/** GNU base-256: 0x80, then the size big-endian in the other 11 bytes. */
function base256(n: bigint): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x80;
  for (let i = 11; i > 0; i--, n >>= 8n) b[i] = Number(n & 0xffn);
  return b;
}

const END = Buffer.alloc(1024);

test('hand-made headers: GNU magic, base-256 sizes, signed checksums, metadata runs, type 0 as NUL', () => {
  const parts = [
    header({ size: 1000, magic: 'ustar  \0' }), body(1000), Buffer.alloc(24),
    header({ size: base256(700n) }), body(700), Buffer.alloc(324),
    header({ name: 'caf\xe9\xff', size: 5, signed: true }), body(5), Buffer.alloc(507),
    header({ type: 'L', size: 600 }), body(600), Buffer.alloc(424), header({ type: 'K', size: 3 }), body(3), Buffer.alloc(509),
    header({ size: 2 }), body(2), Buffer.alloc(510),
    header({ type: '\0', size: 1 }), body(1), Buffer.alloc(511),
    header({ type: '5' }),
    END,
  ];
  const data = Buffer.concat(parts);
    // 1000 bytes (GNU magic), 700 (base-256), 5 (signed sum); an L, K and their entry: one cut before L,
  // one at the content; a NUL typeflag; a directory (no content cut); the end.
  const expected = [0, 512, 1536, 2048, 3072, 3584, 4096, 7168, 7680, 8192, 8704, 9216];
  assertSplitInvariant(data, expected);
});

test('a size above MAX_SAFE_INTEGER, or negative, stops; MAX_SAFE_INTEGER itself still counts', () => {
  const huge = Buffer.concat([header({ size: base256(BigInt(Number.MAX_SAFE_INTEGER)) }), body(4096)]);
  assert.equal(boundaries(huge), [0, 512]);
  const tooHuge = Buffer.concat([header({ size: base256(BigInt(Number.MAX_SAFE_INTEGER) + 1n) }), body(4096)]);
  assert.equal(boundaries(tooHuge), [0]);
  const negative = Buffer.alloc(12, 0xff);
  assert.equal(boundaries(Buffer.concat([header({ size: negative }), body(4096)])), [0]);
  const beyond88Bits = base256(1n);
  beyond88Bits[0] = 0x81; // 2^88 + 1: the first byte's low bits count too
  assert.equal(boundaries(Buffer.concat([header({ size: beyond88Bits }), body(4096)])), [0]);
});

test('garbage, a bad checksum, a bad size, or the end of the archive: no more cuts, and no exception', async () => {
  const archive = (await tarStreamArchive([
    { header: { name: 'a', mtime }, body: body(100) },
    { header: { name: 'b', mtime }, body: body(100) },
  ])).archive;
  const second = 1024; // a: header and one block
  const corrupt = (at: number, value: number): Buffer => {
    const copy = Buffer.from(archive);
    copy[at] = value;
    return copy;
  };
  // The header start is reported on reaching it, before it is read: the last cut is before the bad block.
  assert.equal(boundaries(corrupt(second + 10, 0x41), [1]), [0, 512, second], 'a byte changed under the checksum');
  assert.equal(boundaries(corrupt(second + 150, 0x39), [700]), [0, 512, second], 'a checksum that is not octal');
  const badSize = Buffer.concat([header({ size: 1 }), body(512), header({ size: Buffer.from('00000001x00\0') }), body(512)]);
  assert.equal(boundaries(badSize), [0, 512, 1024], 'a size that is not octal, under a good checksum');
  assert.equal(boundaries(randomish(100_000)), [0], 'garbage');
  assert.equal(boundaries(Buffer.concat([header({ magic: 'nottar' }), header()])), [0], 'not a tar magic');

  // Past the end of the archive nothing counts, even a valid header; and the tracker stays quiet.
  const tracker = new TarBoundaryTracker();
  assert.equal(tracker.push(archive), [0, 512, 1024, 1536, 2048]);
  assert.equal(tracker.push(header({ size: 10 })), []);
  assert.equal(tracker.push(Buffer.alloc(0)), []);
  assert.equal(tracker.push(archive), []);

  const quiet = new TarBoundaryTracker();
  assert.equal(quiet.push(Buffer.from('hello, this is not a tar stream'.repeat(20))), [0]);
  assert.equal(quiet.push(archive), []);
});

test('a push costs nothing per data byte: gigabytes of content are counted, not read', () => {
  const tracker = new TarBoundaryTracker();
  const size = 2 ** 40; // 1 TiB, as base-256
  assert.equal(tracker.push(header({ size: base256(BigInt(size)) })), [0]);
  const piece = Buffer.alloc(1 << 20);
  const started = performance.now();
  // A million pushes of a megabyte, each O(1): if the tracker scanned them this would take minutes.
  // The content starts at the first one's offset 0, the header having ended with the push before.
  const seen: number[] = [];
  for (let i = 0; i < size / piece.length - 1; i++) seen.push(...tracker.push(piece));
  assert.equal(seen, [0]);
  const last = Buffer.concat([piece, header({ size: 1 }), body(1), Buffer.alloc(511), END]);
  assert.equal(tracker.push(last), [piece.length, piece.length + 512, piece.length + 1024]);
  assert.ok(performance.now() - started < 10_000);
});

function randomish(n: number): Buffer {
  const random = prng(42);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
}

test('where: inside the archive until its end-of-archive block, so a stream cut anywhere before it is told from a whole one', async () => {
  const { archive } = await tarStreamArchive([
    { header: { name: 'a', mtime }, body: body(100) },
    { header: { name: 'zeros', mtime }, body: Buffer.alloc(5000) },
  ]);
  const whole = new TarBoundaryTracker();
  assert.is(whole.where, 'inside', 'nothing read yet: an empty stream is no archive');
  whole.push(archive);
  assert.is(whole.where, 'end');
  // Cut in a header, in content (the zero-filled file's too), between entries, and just before the end block.
  const endBlock = archive.length - 1024;
  for (const cut of [1, 511, 512, 600, 1024, 1536, 3000, endBlock - 1, endBlock]) {
    const t = new TarBoundaryTracker();
    t.push(archive.subarray(0, cut));
    assert.is(t.where, 'inside', `cut at ${cut} of ${archive.length}`);
  }
  const garbage = new TarBoundaryTracker();
  garbage.push(randomish(4096));
  assert.is(garbage.where, 'unknown', 'not tar: nothing to judge');
});

test.run();
