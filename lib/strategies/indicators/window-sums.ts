/**
 * Window means of close in O(1) from per-data-set prefix sums, so a strategy comparing
 * simple moving averages (sma_cross) needs no SMA series at all: one pass over the bars
 * whatever its parameters, nothing to cache.
 *
 * The prefix sum is kept as an unevaluated pair hi + lo (hi the rounded running sum, lo
 * the sum of TwoSum's rounding errors), so a window sum (hi[b] - hi[a]) + (lo[b] - lo[a])
 * is within a few ulps of the exact one however long the data (the subtraction of two
 * large nearly equal prefixes loses nothing that lo does not give back). `run[i]` counts
 * the equal closes ending at bar i: a window of n equal closes has that close as its
 * mean exactly, as `sma` (indicators/rolling.ts) promises.
 */
export interface WindowSums {
  readonly hi: Float64Array;
  readonly lo: Float64Array;
  readonly run: Int32Array;
}

/** `shared`: in SharedArrayBuffers, so worker threads can adopt them (`adoptWindowSums`). */
export function windowSumsOf(x: Float64Array, shared = false): WindowSums {
  const n = x.length;
  const buf = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const hi = new Float64Array(buf(8 * (n + 1)));
  const lo = new Float64Array(buf(8 * (n + 1)));
  const run = new Int32Array(buf(4 * n));
  let s = 0;
  let e = 0;
  let prev = NaN;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const t = s + v;
    const bp = t - s;
    e += s - (t - bp) + (v - bp);
    s = t;
    hi[i + 1] = s;
    lo[i + 1] = e;
    r = v === prev ? r + 1 : 1;
    prev = v;
    run[i] = r;
  }
  return { hi, lo, run };
}

/** SMA_n at bar i (i >= n - 1): the mean of x[i-n+1..i]. */
export function windowMean(ws: WindowSums, x: Float64Array, n: number, i: number): number {
  if (ws.run[i] >= n) return x[i];
  const b = i + 1;
  const a = b - n;
  return (ws.hi[b] - ws.hi[a] + (ws.lo[b] - ws.lo[a])) / n;
}

const cache = new WeakMap<Float64Array, WindowSums>();

/** One set of prefix sums per series (a worker's bars live as long as the worker). */
export function cachedWindowSums(x: Float64Array, shared = false): WindowSums {
  let ws = cache.get(x);
  if (ws === undefined) cache.set(x, (ws = windowSumsOf(x, shared)));
  return ws;
}

/**
 * Use prefix sums built elsewhere (another thread, same values of x) for x: a worker pool
 * keeps one copy for all its threads instead of one each (less memory, less cache traffic).
 */
export function adoptWindowSums(x: Float64Array, ws: WindowSums): void {
  if (ws.run.length !== x.length || ws.hi.length !== x.length + 1) throw new Error("adoptWindowSums: prefix sums of another length");
  cache.set(x, ws);
}
