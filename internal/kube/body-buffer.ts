// A reusable buffer a response body is read into, doubled when a body does not fit. A lister keeps
// two and alternates between them (list.ts), so a backup does not allocate a new ~1 MB Buffer per
// LIST page: 200 of them at 100,000 objects, each dead once its page was written, which the
// collector freed late and the allocator then kept (see the README's "Where a backup's time goes").
export class BodyBuffer {
  private bytes: Buffer;
  private length = 0;

  constructor(initialSize = 64 * 1024) {
    this.bytes = Buffer.allocUnsafeSlow(initialSize);
  }

  /** Starts a new body (a request, or its retry). */
  reset(): void {
    this.length = 0;
  }

  append(chunk: Buffer): void {
    if (this.length + chunk.length > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.length + chunk.length) size *= 2;
      const bigger = Buffer.allocUnsafeSlow(size);
      this.bytes.copy(bigger, 0, 0, this.length);
      this.bytes = bigger;
    }
    chunk.copy(this.bytes, this.length);
    this.length += chunk.length;
  }

  /** The body: a view of this buffer, valid until its next reset. */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}
