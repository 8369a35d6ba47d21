/**
 * Rolling-window kernels over typed arrays: O(n), no allocation beyond `out` and the
 * caller's scratch. Entries before a full window are NaN.
 */

/**
 * Simple moving average, SMA_n[i] = mean(x[i-n+1..i]), with a Neumaier-compensated
 * running sum: the window sum stays within an ulp or so of the exact sum over any
 * length of data, so equal windows (flat prices) give equal averages and no spurious
 * crossings.
 */
export function sma(x: Float64Array, n: number, out: Float64Array): Float64Array {
  const len = x.length;
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < len; i++) {
    const a = x[i];
    let t = sum + a;
    comp += Math.abs(sum) >= Math.abs(a) ? sum - t + a : a - t + sum;
    sum = t;
    if (i >= n) {
      const b = -x[i - n];
      t = sum + b;
      comp += Math.abs(sum) >= Math.abs(b) ? sum - t + b : b - t + sum;
      sum = t;
    }
    out[i] = i >= n - 1 ? (sum + comp) / n : NaN;
  }
  return out;
}

/** Exponential moving average with alpha = 2/(n+1), seeded with the SMA of the first n values. */
export function ema(x: Float64Array, n: number, out: Float64Array): Float64Array {
  const len = x.length;
  const alpha = 2 / (n + 1);
  let acc = 0;
  for (let i = 0; i < len; i++) {
    if (i < n - 1) {
      acc += x[i];
      out[i] = NaN;
    } else if (i === n - 1) {
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
 * Monotonic deque of indices kept in `deque` (length >= x.length).
 */
export function priorMax(x: Float64Array, n: number, out: Float64Array, deque: Int32Array): Float64Array {
  return priorExtreme(x, n, out, deque, 1);
}

/** out[i] = min(x[i-n..i-1]) (NaN for i < n). */
export function priorMin(x: Float64Array, n: number, out: Float64Array, deque: Int32Array): Float64Array {
  return priorExtreme(x, n, out, deque, -1);
}

function priorExtreme(x: Float64Array, n: number, out: Float64Array, deque: Int32Array, sign: 1 | -1): Float64Array {
  const len = x.length;
  let head = 0;
  let tail = 0; // deque[head..tail) holds indices with x decreasing (for max) in sign*x
  for (let i = 0; i < len; i++) {
    // The window for out[i] is [i-n, i-1]: the deque holds indices < i.
    while (head < tail && deque[head] < i - n) head++;
    out[i] = i >= n ? x[deque[head]] : NaN;
    const v = sign * x[i];
    while (head < tail && sign * x[deque[tail - 1]] <= v) tail--;
    deque[tail++] = i;
  }
  return out;
}

/** Rolling population standard deviation over x[i-n+1..i] (NaN before a full window). */
export function rollingStd(x: Float64Array, n: number, mean: Float64Array, out: Float64Array): Float64Array {
  const len = x.length;
  for (let i = 0; i < len; i++) {
    if (i < n - 1) {
      out[i] = NaN;
      continue;
    }
    const m = mean[i];
    let ss = 0;
    for (let k = i - n + 1; k <= i; k++) {
      const d = x[k] - m;
      ss += d * d;
    }
    out[i] = Math.sqrt(ss / n);
  }
  return out;
}
