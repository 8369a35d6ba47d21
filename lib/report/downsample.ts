/**
 * Thinning a curve for the page without lying about it: the first and last points, and
 * in each of (maxPoints - 2) / 2 equal buckets of the points between them, the lowest and
 * the highest (in time order). Every peak and trough that is the extreme of its bucket
 * survives, so the global maximum and minimum - and so the deepest drawdown - are exactly
 * those of the full curve; only wiggles inside a bucket are lost.
 */

export interface Series {
  x: number[];
  y: number[];
}

export const DEFAULT_MAX_POINTS = 2000;

/** Indices kept by min-max bucketing (ascending); every index when n <= maxPoints. */
export function minMaxIndices(y: ArrayLike<number>, maxPoints: number = DEFAULT_MAX_POINTS): number[] {
  const n = y.length;
  if (n <= Math.max(maxPoints, 2)) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const inner = n - 2;
  const keep: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (to <= from) continue;
    let lo = from;
    let hi = from;
    for (let i = from + 1; i < to; i++) {
      if (y[i] < y[lo]) lo = i;
      if (y[i] > y[hi]) hi = i;
    }
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  keep.push(n - 1);
  return keep;
}

export function downsample(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number = DEFAULT_MAX_POINTS): Series {
  if (x.length !== y.length) throw new RangeError(`downsample: x has ${x.length} points, y has ${y.length}`);
  const idx = minMaxIndices(y, maxPoints);
  return { x: idx.map((i) => x[i]), y: idx.map((i) => y[i]) };
}
