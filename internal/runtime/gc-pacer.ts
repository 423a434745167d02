// Asks V8 for a collection at a pace the caller sets. A backup or restore of 100,000 items
// allocates several times its size outside V8's heap (LIST pages as they arrive, gzip members,
// upload parts), and V8 lets ~64 MB of that pile up before it collects on its own: the process's
// peak memory then follows its throughput, not what it holds. Collecting every few thousand items
// bounds it. Each is a full collection, started from a task (`execution: 'async'`) but not
// incremental: V8's --trace-gc showed 20–45 ms pauses on a ~30 MB heap during a 100,000-item backup,
// which is why the backup collects only as its Buffers grow (EXTERNAL_BUDGET_BYTES).
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    // V8 exposes gc() to contexts made after this flag is set; the main context keeps none.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  } catch {
    collect = null;
  }
  return collect;
}

/**
 * Items between collections: at ~1.5 KiB an item, a few MB of heap and ~10 MB outside it. Measured
 * on a backup of 100,000 objects, alternating: every 5,000 items peaked at 203–206 MB, every 2,500
 * at 183–193 MB and took ~5% longer, every 1,000 at 178–185 MB and ~15% longer.
 */
export const ITEMS_PER_COLLECTION = 2_500;

/**
 * For a caller whose objects die young (a backup parses each listed item just before writing it):
 * what is left to pile up is Buffers (LIST pages, gzip members, upload parts), so a collection is
 * started only when their total grew this much since its lowest point after the last one. Checked
 * every CHECK_EVERY ticks (V8's heap statistics: ~2 µs a call).
 */
export const EXTERNAL_BUDGET_BYTES = 16 * 1024 * 1024;
const CHECK_EVERY = 500;

export class GcPacer {
  private since = 0;
  /** The lowest Buffer total seen since the last collection started. */
  private floor = Infinity;

  /**
   * Every `every` ticks a collection; with `externalBudget`, every CHECK_EVERY ticks a look at the
   * Buffer total instead, and a collection when it grew by `externalBudget` bytes.
   */
  constructor(
    private readonly every = ITEMS_PER_COLLECTION,
    private readonly externalBudget?: number,
  ) {}

  /** Counts `n` units of work; starts a collection when they say so. */
  tick(n = 1): void {
    this.since += n;
    if (this.since < (this.externalBudget === undefined ? this.every : CHECK_EVERY)) return;
    this.since = 0;
    if (this.externalBudget !== undefined) {
      const buffers = getHeapStatistics().external_memory;
      this.floor = Math.min(this.floor, buffers);
      if (buffers - this.floor < this.externalBudget) return;
      this.floor = Infinity;
    }
    collector()?.({ type: 'major', execution: 'async' });
  }
}
