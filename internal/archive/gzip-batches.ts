// Text gzipped a batch at a time as it comes, each batch a gzip member of its own (RFC 1952 §2.2:
// Go's gzip reader, and so Velero's, Node's gunzip and ours read the members as one stream). For
// files written whole at the end of a run that grow with it (a restore's log, a resource list):
// what is held is the compressed members and one batch of text, never the whole text.
import { gzipSync } from 'node:zlib';

/** Text gathered before it is gzipped. */
const BATCH_BYTES = 256 * 1024;

export class GzipBatches {
  private readonly members: Buffer[] = [];
  private buf = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;

  text(s: string): void {
    const need = Buffer.byteLength(s);
    if (this.used + need > this.buf.length) {
      this.seal();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    }
    this.used += this.buf.write(s, this.used);
  }

  /** Everything so far, gzipped (an empty text's gzip when there is none); more text may follow. */
  gzipped(): Buffer {
    this.seal();
    return this.members.length ? Buffer.concat(this.members) : gzipSync('');
  }

  private seal(): void {
    if (this.used) this.members.push(gzipSync(this.buf.subarray(0, this.used)));
    this.used = 0;
  }
}
