// Where the entries of a tar stream begin, found as the stream flows by, so the content-defined
// chunker can cut there. When a file's mtime (or mode, owner...) changes, only its 512-byte header
// changes; a cut at the header's start and another at the content's start keep that header in a
// chunk of its own, and the file's unchanged content still cuts into the chunks we already have.
//
// These are hints and nothing more: the backup is correct whatever they say. So the tracker never
// throws, and at the first thing it cannot make sense of (a bad checksum, a block that is no tar
// header, an absurd size) or at the end of the archive, it goes quiet for the rest of the stream.
//
// One thing it does judge (`where`): whether a stream that ends now ended inside the archive, before
// its end-of-archive block. Every tar writes one; a stream without it was cut short, and a backup
// must not keep it as a volume's copy (tar -x of it fails with "Unexpected EOF" at restore).
//
// Cost: data blocks are passed over by counting, never read, so a push costs O(1) plus O(512) per
// header it completes. Memory: one 512-byte block being collected, never a file's content.

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

// Header layout (POSIX ustar; GNU tar uses the same offsets).
const SIZE = [124, 136] as const;
const CHKSUM = [148, 156] as const;
const TYPEFLAG = 156;
const MAGIC = [257, 263] as const;
/** Old GNU sparse ('S') headers: nonzero when extension blocks follow the header... */
const GNU_ISEXTENDED = 482;
/** ...and in each extension block, nonzero when yet another one follows. */
const GNU_EXT_ISEXTENDED = 504;

const code = (c: string): number => c.charCodeAt(0);
/**
 * Entries that only describe the next one: GNU long name ('L') and long link target ('K'), pax
 * extended ('x') and global ('g') headers. They belong with the header they describe, so no cut
 * between them: one cut before the first, then the next at the real entry's content.
 */
const METADATA_TYPES = new Set([code('L'), code('K'), code('x'), code('g')]);
const GNU_SPARSE = code('S');
const USTAR = Buffer.from('ustar');

/** Finds where entries of a tar stream begin, as the stream flows, so the content-defined chunker can cut there. */
export class TarBoundaryTracker {
  private stopped = false;
  private ended = false;
  /** Bytes of entry data (content plus padding to a whole block) to pass over before the next block we read. */
  private skip = 0;
  /** The block being collected (a header, or a GNU sparse extension block) and how much of it we have. */
  private readonly block = Buffer.alloc(BLOCK);
  private have = 0;
  /** The block being collected is a sparse extension block; `sparseSkip` is its entry's data, to skip after the last one. */
  private inExtension = false;
  private sparseSkip = 0;
  /** The last header was metadata for the next entry, whose header then is no place to cut. */
  private afterMetadata = false;
  /**
   * A boundary lies at the current stream position. It is reported once we see a byte there: a
   * boundary at the very end of one buffer is offset 0 of the next, and an archive never reports
   * a boundary at its own end.
   */
  private mark = true;

  /**
   * Where the stream is now: `end` once the end-of-archive block was read; `unknown` once the
   * stream stopped making sense as tar (nothing can be said of it); else `inside`, where a stream
   * that ends now was cut short.
   */
  get where(): 'inside' | 'end' | 'unknown' {
    return this.ended ? 'end' : this.stopped ? 'unknown' : 'inside';
  }

  /**
   * Offsets within `data`, ascending and each < data.length, where a cut helps dedup: the start
   * of each tar header (the first of a metadata run such as a GNU long name) and the start of
   * each non-empty entry's content. State carries across calls; [] forever once stopped.
   */
  push(data: Buffer): number[] {
    const out: number[] = [];
    if (this.stopped) return out;
    try {
      this.scan(data, out);
    } catch {
      // Never expected; but a hint is not worth failing a backup over.
      this.stop();
    }
    return out;
  }

  private scan(data: Buffer, out: number[]): void {
    let i = 0;
    // Each turn moves i forward, and reports at most one offset: ascending, never twice.
    while (i < data.length && !this.stopped) {
      if (this.mark) {
        out.push(i);
        this.mark = false;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - i);
        this.skip -= n;
        i += n;
        // The entry's data is over: the next header starts here (unless metadata came before it).
        if (this.skip === 0) this.mark = !this.afterMetadata;
        continue;
      }
      const n = Math.min(BLOCK - this.have, data.length - i);
      data.copy(this.block, this.have, i, i + n);
      this.have += n;
      i += n;
      if (this.have === BLOCK) {
        this.have = 0;
        if (this.inExtension) this.extension(this.block);
        else this.header(this.block);
      }
    }
  }

  private header(b: Buffer): void {
    // A zero block is the end of the archive; what follows is padding, or something not ours.
    if (b.equals(ZERO_BLOCK)) {
      this.ended = true;
      return this.stop();
    }
    if (!isHeader(b)) return this.stop();
    const size = parseSize(b.subarray(...SIZE));
    if (size === null) return this.stop();
    // Every type's data is whole blocks (links, directories and devices normally have size 0).
    // Exact: size/512 is exact, and the result is at most 2^53, itself a double.
    const data = Math.ceil(size / BLOCK) * BLOCK;
    const type = b[TYPEFLAG]!;
    if (METADATA_TYPES.has(type)) {
      this.afterMetadata = true;
      this.mark = false;
      this.skip = data;
      return;
    }
    this.afterMetadata = false;
    if (type === GNU_SPARSE && b[GNU_ISEXTENDED] !== 0) {
      // The sparse map continues in blocks between this header and the data: content starts after them.
      this.inExtension = true;
      this.sparseSkip = data;
      return;
    }
    this.startContent(data);
  }

  private extension(b: Buffer): void {
    if (b[GNU_EXT_ISEXTENDED] !== 0) return;
    this.inExtension = false;
    this.startContent(this.sparseSkip);
  }

  /**
   * The content starts here: a boundary. With no content, this same offset is where the next
   * header starts, so the one mark serves for both and it is not reported twice.
   */
  private startContent(data: number): void {
    this.mark = true;
    this.skip = data;
  }

  private stop(): void {
    this.stopped = true;
    this.mark = false;
  }
}

/**
 * A header's checksum is the sum of its bytes with the checksum field read as eight spaces. Old
 * tars summed signed chars, so either sum will do. The checksum alone rejects almost any stray
 * block; the magic ('ustar\0' for ustar/pax, 'ustar ' for GNU, zeros for v7) rejects the rest.
 */
function isHeader(b: Buffer): boolean {
  const magic = b.subarray(...MAGIC);
  if (!magic.subarray(0, USTAR.length).equals(USTAR) && !magic.equals(ZERO_BLOCK.subarray(0, magic.length))) return false;
  const stored = parseOctal(b.subarray(...CHKSUM));
  if (stored === null) return false;
  let unsigned = 0;
  let signed = 0;
  for (let k = 0; k < BLOCK; k++) {
    const x = k >= CHKSUM[0] && k < CHKSUM[1] ? 0x20 : b[k]!;
    unsigned += x;
    signed += x < 0x80 ? x : x - 0x100;
  }
  return stored === unsigned || stored === signed;
}

/**
 * Octal ASCII, maybe with leading spaces and with trailing spaces or NULs; null if anything else
 * is there, or no digit at all. At most 12 digits: below 2^36, exact.
 */
function parseOctal(field: Buffer): number | null {
  let k = 0;
  while (k < field.length && field[k] === 0x20) k++;
  const first = k;
  let value = 0;
  for (; k < field.length; k++) {
    const c = field[k]!;
    if (c < 0x30 || c > 0x37) break;
    value = value * 8 + (c - 0x30);
  }
  if (k === first) return null;
  for (; k < field.length; k++) if (field[k] !== 0x20 && field[k] !== 0) return null;
  return value;
}

/**
 * The size field: octal, or GNU base-256 for sizes that do not fit 11 octal digits (8 GiB and
 * up) — a first byte of 0x80, then a big-endian number. Any other first byte with the high bit set
 * is negative (0xff...) or beyond 2^88: absurd. So is anything above Number.MAX_SAFE_INTEGER,
 * where skipping by counting would no longer be exact. Null for all of those.
 *
 * Not handled: a pax 'size' record overriding this field (busybox/ustar archives of files of
 * 8 GiB and up). Then we skip the wrong amount, land on a block that is no header, and stop.
 */
function parseSize(field: Buffer): number | null {
  if ((field[0]! & 0x80) === 0) return parseOctal(field);
  if (field[0] !== 0x80) return null;
  let value = 0;
  for (let k = 1; k < field.length; k++) {
    // Until it passes MAX_SAFE_INTEGER each step is exact; once past, the comparison still says so.
    value = value * 256 + field[k]!;
    if (value > Number.MAX_SAFE_INTEGER) return null;
  }
  return value;
}
