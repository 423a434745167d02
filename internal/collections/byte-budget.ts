// Bounds the bytes being worked on at once, whatever their count: a restore parses, transforms and
// sends items in parallel, and a parsed item takes up to ~70× its JSON size (an array of empty
// objects), so eight large items at once could take gigabytes where eight ordinary ones take
// kilobytes. One item larger than the whole budget still runs, alone.
export class ByteBudget {
  private used = 0;
  private readonly waiting: { bytes: number; wake: () => void }[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    await this.acquire(bytes);
    try {
      return await work();
    } finally {
      this.release(bytes);
    }
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }

  private acquire(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.used += bytes;
      return Promise.resolve();
    }
    return new Promise((wake) => this.waiting.push({ bytes, wake }));
  }

  private release(bytes: number): void {
    this.used -= bytes;
    // First come, first served: a large item is not starved by small ones behind it.
    while (this.waiting.length && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.wake();
    }
  }
}
