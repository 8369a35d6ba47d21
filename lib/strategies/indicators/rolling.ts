/**
 * Rolling-window kernels over typed arrays: O(n), no allocation beyond `out` and the
 * caller's scratch. Entries before a full window are NaN.
 */

/**
 * Simple moving average of prices, SMA_n[i] = mean(x[i-n+1..i]): a plain rolling sum
 * (one add and one subtract per bar) recomputed exactly (compensated) at the first full
 * window and then every smaRecomputeEvery(n) bars, so it stays within 1e-12 (relative) of
 * the compensated `smaCompensated`: between two recomputes each step rounds once, by at
 * most half an ulp of the sum (for prices, x[i] - x[i-n] is exact by Sterbenz's lemma
 * while they stay within a factor 2), so the drift is at most K ulps, K <= max(2048, n/4):
 * 2.3e-13 relative for n <= 8192, 5.6e-13 at the largest window used (20,160).
 *
 * A window of n equal values returns that value exactly. The compensated sum alone
 * cannot promise it: even an exact sum n*c, once rounded, divided by n is not c for about
 * one (c, n) in ten (e.g. fl(fl(n*c)/n) != c), and an SMA(fast) one ulp above SMA(slow)
 * on a flat stretch would be a spurious sma_cross entry. A run counter (how many equal
 * values end at i) detects the flat window in O(1).
 */
export function sma(x: Float64Array, n: number, out: Float64Array): Float64Array {
  const len = x.length;
  const every = smaRecomputeEvery(n);
  let run = 0;
  let prev = NaN;
  const warm = Math.min(len, n - 1);
  for (let i = 0; i < warm; i++) {
    const a = x[i];
    run = a === prev ? run + 1 : 1;
    prev = a;
    out[i] = NaN;
  }
  // Chunks of `every` bars, each starting from an exact window sum: the inner loop has no
  // rare branch (one inside it made the whole loop ~4x slower in V8).
  for (let first = n - 1; first < len; first += every) {
    let sum = windowSum(x, first - n + 1, first + 1);
    const end = Math.min(len, first + every);
    for (let i = first; i < end; i++) {
      const a = x[i];
      run = a === prev ? run + 1 : 1;
      prev = a;
      if (i > first) sum += a - x[i - n];
      out[i] = run >= n ? a : sum / n;
    }
  }
  return out;
}

/** Bars between two exact recomputes of the rolling sum of `sma` (cost: n / K extra adds a bar). */
export function smaRecomputeEvery(n: number): number {
  return Math.max(2048, Math.ceil(n / 4));
}

/** Neumaier-compensated sum of x[a..b). */
function windowSum(x: Float64Array, a: number, b: number): number {
  let sum = 0;
  let comp = 0;
  for (let k = a; k < b; k++) {
    const v = x[k];
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + comp;
}

/**
 * SMA with a Neumaier-compensated running sum: within an ulp or so of the exact mean over
 * any length of data, whatever the values (the reference for `sma`; used where values
 * are not prices, e.g. squared returns, whose differences are not exact). Flat windows
 * return their value exactly, as `sma`.
 */
export function smaCompensated(x: Float64Array, n: number, out: Float64Array): Float64Array {
  const len = x.length;
  let sum = 0;
  let comp = 0;
  let run = 0;
  let prev = NaN;
  for (let i = 0; i < len; i++) {
    const a = x[i];
    run = a === prev ? run + 1 : 1;
    prev = a;
    let t = sum + a;
    comp += Math.abs(sum) >= Math.abs(a) ? sum - t + a : a - t + sum;
    sum = t;
    if (i >= n) {
      const b = -x[i - n];
      t = sum + b;
      comp += Math.abs(sum) >= Math.abs(b) ? sum - t + b : b - t + sum;
      sum = t;
    }
    out[i] = i < n - 1 ? NaN : run >= n ? a : (sum + comp) / n;
  }
  return out;
}

/** Exponential moving average with alpha = 2/(n+1), seeded with the SMA of the first n values. */
export function ema(x: Float64Array, n: number, out: Float64Array): Float64Array {
  return emaFrom(x, n, 0, out);
}

/**
 * The EMA of x[start..]: NaN before i = start + n - 1, there the mean of
 * x[start..start+n-1], then EMA[i] = EMA[i-1] + alpha * (x[i] - EMA[i-1]), alpha = 2/(n+1)
 * (the common convention: TA-Lib, technicalindicators). `start` skips a warm-up prefix
 * of x that is NaN (the MACD signal line is the EMA of the MACD line).
 */
export function emaFrom(x: Float64Array, n: number, start: number, out: Float64Array): Float64Array {
  const len = x.length;
  const alpha = 2 / (n + 1);
  const seedAt = start + n - 1;
  let acc = 0;
  for (let i = 0; i < len; i++) {
    if (i < start) {
      out[i] = NaN;
    } else if (i < seedAt) {
      acc += x[i];
      out[i] = NaN;
    } else if (i === seedAt) {
      acc += x[i];
      out[i] = acc / n;
    } else {
      out[i] = out[i - 1] + alpha * (x[i] - out[i - 1]);
    }
  }
  return out;
}

/**
 * Rolling maximum over the n values *before* i: out[i] = max(x[i-n..i-1]) (NaN for i < n).
 *
 * van Herk / Gil-Werman: cut x into blocks of n bars from bar 0; a window of n bars covers
 * the tail of one block and the head of the next, so its maximum is
 * max(suffix max of its first bar within that block, prefix max of its last bar within the
 * next). Suffix maxima come from one backward pass (their indices kept in `work`, length
 * >= x.length), prefix maxima are carried forward: about three comparisons per bar and
 * no data-dependent loops (measured ~3x faster than a monotonic deque on prices).
 */
export function priorMax(x: Float64Array, n: number, out: Float64Array, work: Int32Array): Float64Array {
  return priorExtreme(x, n, out, work, 1);
}

/** out[i] = min(x[i-n..i-1]) (NaN for i < n); the mirror of priorMax. */
export function priorMin(x: Float64Array, n: number, out: Float64Array, work: Int32Array): Float64Array {
  return priorExtreme(x, n, out, work, -1);
}

function priorExtreme(x: Float64Array, n: number, out: Float64Array, suffix: Int32Array, sign: 1 | -1): Float64Array {
  const len = x.length;
  // suffix[j]: index of the extreme of x[j..end of j's block].
  for (let end = len - 1; end >= 0; ) {
    const blockStart = end - (end % n);
    suffix[end] = end;
    for (let j = end - 1; j >= blockStart; j--) {
      const k = suffix[j + 1];
      suffix[j] = sign * x[j] >= sign * x[k] ? j : k;
    }
    end = blockStart - 1;
  }
  let prefix = NaN; // extreme of x[start of (i-1)'s block .. i-1]
  let inBlock = 0; // position of i-1 within its block
  for (let i = 0; i < len; i++) {
    if (i > 0) {
      const v = x[i - 1];
      if (inBlock === 0 || sign * v > sign * prefix) prefix = v;
      inBlock = inBlock + 1 === n ? 0 : inBlock + 1;
    }
    if (i < n) {
      out[i] = NaN;
      continue;
    }
    const h = x[suffix[i - n]];
    out[i] = sign * h >= sign * prefix ? h : prefix;
  }
  return out;
}

/** Relative error allowed in the sliding sum of squares before it is recomputed exactly. */
const STD_REL_ERROR = 1e-11;
const EPS = Number.EPSILON;

/**
 * Rolling population standard deviation over x[i-n+1..i] about the given window means:
 * out[i] = sqrt(sum_k (x[k] - mean[i])^2 / n) (NaN before a full window).
 *
 * The sum of squared deviations M2 slides in O(1) with the update for replacing x_old by
 * x_new in a window of fixed size (Welford's update for a removal and an insertion):
 * M2' = M2 + (x_new - x_old) * (x_new - mean' + x_old - mean). Its rounding error is
 * bounded as it goes (first-order: the inputs' magnitudes times the unit roundoff); when
 * the bound exceeds STD_REL_ERROR * M2, as it does where the spread collapses next to the
 * price level, M2 is recomputed exactly (two passes, O(n)). Typical price series stay
 * O(1) per bar with 1e-11 relative accuracy; a window of equal values gives exactly 0.
 */
export function rollingStd(x: Float64Array, n: number, mean: Float64Array, out: Float64Array): Float64Array {
  const len = x.length;
  let m2 = 0;
  let errBound = Infinity; // forces the exact computation on the first full window
  let run = 0;
  let prev = NaN;
  for (let i = 0; i < len; i++) {
    const a = x[i];
    run = a === prev ? run + 1 : 1;
    prev = a;
    if (i < n - 1) {
      out[i] = NaN;
      continue;
    }
    const m = mean[i];
    if (run >= n) {
      m2 = 0;
      errBound = 0;
    } else {
      if (errBound <= STD_REL_ERROR * m2) {
        const old = x[i - n];
        const mPrev = mean[i - 1];
        const u = a - old;
        const t = u * (a - m + old - mPrev);
        m2 += t;
        errBound += 2 * EPS * (Math.abs(u) * (Math.abs(a) + Math.abs(old) + Math.abs(m) + Math.abs(mPrev)) + Math.abs(t) + Math.abs(m2));
      }
      if (!(errBound <= STD_REL_ERROR * m2)) {
        m2 = 0;
        for (let k = i - n + 1; k <= i; k++) {
          const d = x[k] - m;
          m2 += d * d;
        }
        errBound = 0; // measured from the two-pass value, the definition
      }
    }
    out[i] = Math.sqrt(m2 / n);
  }
  return out;
}
