// The sizes a backup or restore benchmark measures: the asked size, and below it 10,000 objects in
// the same number of objects per namespace, so time per object and peak memory can be compared
// across a tenfold growth on one cluster.

export interface BenchSize {
  objects: number;
  namespaces: number;
}

export interface SizeFigures {
  objects: number;
  peak_rss_mb: number;
  ours_s: number;
  [figure: string]: number;
}

export const SMALL = 10_000;

export function benchSizes(objects: number, namespaces: number): BenchSize[] {
  if (objects <= SMALL) return [{ objects, namespaces }];
  const perNamespace = objects / namespaces;
  return [{ objects: SMALL, namespaces: Math.max(1, Math.round(SMALL / perNamespace)) }, { objects, namespaces }];
}

/** Time per object at the largest size over the smallest (1.0 = linear), and how much the peak RSS grew. */
export function sizeGrowth(figures: readonly SizeFigures[]): { per_object_growth: number; rss_growth_mb: number } {
  const small = figures[0]!;
  const large = figures.at(-1)!;
  return {
    per_object_growth: round(large.ours_s / large.objects / (small.ours_s / small.objects)),
    rss_growth_mb: round(large.peak_rss_mb - small.peak_rss_mb),
  };
}

export const round = (n: number) => Math.round(n * 100) / 100;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
