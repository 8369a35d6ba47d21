/**
 * Bars: OHLCV columns as Float64Arrays over one SharedArrayBuffer, so worker threads
 * can share a single copy (a SharedArrayBuffer crosses postMessage without copying).
 */
export const MS_PER_DAY = 86_400_000;
export const MS_PER_YEAR = 365 * MS_PER_DAY;

export const BAR_COLUMNS = ["t", "open", "high", "low", "close", "volume"] as const;
export type BarColumn = (typeof BAR_COLUMNS)[number];

export interface Bars {
  /** Bar open time, Unix ms UTC, strictly increasing. */
  readonly t: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly length: number;
  /** The bars' own spacing in ms (the median gap between consecutive bars). */
  readonly barMs: number;
  /** Where the bars came from (a file path), for messages. */
  readonly source: string;
}

/** What crosses to a worker: the shared buffer and the shape, no copy of the numbers. */
export interface SharedBars {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  readonly length: number;
  readonly barMs: number;
  readonly source: string;
}

/** Allocate empty shared columns for `n` bars. */
export function allocateBars(n: number, source: string, barMs = 0): Bars {
  const buffer = new SharedArrayBuffer(n * BAR_COLUMNS.length * Float64Array.BYTES_PER_ELEMENT);
  return viewBars({ buffer, length: n, barMs, source });
}

/** Column views over a shared buffer (used by workers to rebuild `Bars` without copying). */
export function viewBars(shared: SharedBars): Bars {
  const n = shared.length;
  const col = (k: number) => new Float64Array(shared.buffer, k * n * 8, n);
  const t = col(0);
  return {
    t,
    open: col(1),
    high: col(2),
    low: col(3),
    close: col(4),
    volume: col(5),
    length: n,
    barMs: shared.barMs > 0 ? shared.barMs : medianSpacing(t),
    source: shared.source,
  };
}

export function shareBars(bars: Bars): SharedBars {
  return { buffer: bars.t.buffer as SharedArrayBuffer, length: bars.length, barMs: bars.barMs, source: bars.source };
}

/** Bars from plain arrays (tests, generators, resampling). */
export function barsFromColumns(
  cols: Record<BarColumn, ArrayLike<number>>,
  source = "<memory>",
): Bars {
  const n = cols.t.length;
  const bars = allocateBars(n, source);
  for (const name of BAR_COLUMNS) (bars[name] as Float64Array).set(cols[name]);
  return { ...bars, barMs: medianSpacing(bars.t) };
}

/** Median gap between consecutive times (robust to a few gaps in the grid). */
export function medianSpacing(t: Float64Array): number {
  const n = t.length;
  if (n < 2) return 0;
  const m = Math.min(n - 1, 10_001);
  const gaps = new Float64Array(m);
  for (let i = 0; i < m; i++) gaps[i] = t[i + 1] - t[i];
  gaps.sort();
  return gaps[m >> 1];
}

/** Bars per year at the bars' own spacing (a 5-minute 24/7 market: 105,120). */
export function barsPerYear(bars: Pick<Bars, "barMs">): number {
  return bars.barMs > 0 ? MS_PER_YEAR / bars.barMs : 0;
}

/** A contiguous sub-range [from, to) as a new Bars (copies; for tests and walk-forward). */
export function sliceBars(bars: Bars, from: number, to: number): Bars {
  const cols = {} as Record<BarColumn, Float64Array>;
  for (const name of BAR_COLUMNS) cols[name] = (bars[name] as Float64Array).subarray(from, to);
  return barsFromColumns(cols, bars.source);
}
