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

/** ISO 8601 UTC for a bar time, seconds precision unless the time has milliseconds (the number itself outside Date's range). */
export function isoTime(ms: number): string {
  if (!(Math.abs(ms) <= 8.64e15)) return String(ms);
  const iso = new Date(ms).toISOString();
  return ms % 1000 === 0 ? iso.slice(0, -5) + "Z" : iso;
}

/** A duration the way a trader says it: 5m, 1h, 4h 30m, 2d 3h. */
export function formatDuration(ms: number): string {
  if (!(ms > 0)) return "0";
  const units: [string, number][] = [["d", MS_PER_DAY], ["h", 3_600_000], ["m", 60_000], ["s", 1000], ["ms", 1]];
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [name, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** Holes in the time grid: consecutive bars further apart than the bars' spacing. */
export interface GapScan {
  /** How many holes. */
  readonly count: number;
  /** Bars the grid expects in the holes (a 15-minute hole in 5-minute bars is 2). */
  readonly missingBars: number;
  /** The widest hole in ms (from one bar's open to the next bar's open), 0 without gaps. */
  readonly largestMs: number;
  /** Index of the bar after the widest hole, -1 without gaps. */
  readonly largestAt: number;
  /** Index of the bar after the first hole, -1 without gaps. */
  readonly firstAt: number;
}

export function scanGaps(t: Float64Array, barMs: number): GapScan {
  let count = 0;
  let missingBars = 0;
  let largestMs = 0;
  let largestAt = -1;
  let firstAt = -1;
  if (barMs > 0) {
    const n = t.length;
    for (let i = 1; i < n; i++) {
      const dt = t[i] - t[i - 1];
      if (dt <= barMs) continue;
      count++;
      missingBars += Math.max(0, Math.round(dt / barMs) - 1);
      if (firstAt < 0) firstAt = i;
      if (dt > largestMs) {
        largestMs = dt;
        largestAt = i;
      }
    }
  }
  return { count, missingBars, largestMs, largestAt, firstAt };
}

/** What `stratlab data info` shows and notebooks print: size, span, spacing, holes, prices. */
export interface BarsSummary {
  source: string;
  rows: number;
  /** First and last bar open time, ISO 8601 UTC (null for no bars). */
  first: string | null;
  last: string | null;
  /** t[last] - t[0] + one bar, in ms, and as text. */
  spanMs: number;
  span: string;
  /** The bars' spacing (median gap), in ms and as text. */
  barMs: number;
  spacing: string;
  gaps: {
    count: number;
    missingBars: number;
    largestMs: number;
    largest: string;
    /** The widest and the first hole: the times of the bars either side. */
    largestBetween: [string, string] | null;
    firstBetween: [string, string] | null;
  };
  price: { low: number; high: number; firstOpen: number; lastClose: number };
  volume: { total: number; zeroBars: number };
}

export function describeBars(bars: Bars): BarsSummary {
  const n = bars.length;
  const { t, low, high, volume } = bars;
  let lo = Infinity;
  let hi = -Infinity;
  let total = 0;
  let zeroBars = 0;
  for (let i = 0; i < n; i++) {
    if (low[i] < lo) lo = low[i];
    if (high[i] > hi) hi = high[i];
    total += volume[i];
    if (volume[i] === 0) zeroBars++;
  }
  const g = scanGaps(t, bars.barMs);
  const between = (i: number): [string, string] | null => (i > 0 ? [isoTime(t[i - 1]), isoTime(t[i])] : null);
  const spanMs = n > 0 ? t[n - 1] - t[0] + bars.barMs : 0;
  return {
    source: bars.source,
    rows: n,
    first: n > 0 ? isoTime(t[0]) : null,
    last: n > 0 ? isoTime(t[n - 1]) : null,
    spanMs,
    span: formatDuration(spanMs),
    barMs: bars.barMs,
    spacing: formatDuration(bars.barMs),
    gaps: {
      count: g.count,
      missingBars: g.missingBars,
      largestMs: g.largestMs,
      largest: formatDuration(g.largestMs),
      largestBetween: between(g.largestAt),
      firstBetween: between(g.firstAt),
    },
    price: { low: n > 0 ? lo : NaN, high: n > 0 ? hi : NaN, firstOpen: n > 0 ? bars.open[0] : NaN, lastClose: n > 0 ? bars.close[n - 1] : NaN },
    volume: { total, zeroBars },
  };
}
