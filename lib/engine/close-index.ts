/**
 * Per-data-set structures of the event-driven account (docs/evaluator.md, "Event-driven
 * account"): built once per bar set and shared by every evaluation on it.
 *
 * While the account holds units and no cash, equity is `E[k] = u * close[k]`, so its
 * per-bar return is the close's own return `rho[k] = close[k] / close[k-1] - 1` and its
 * drawdown is the close's. The metrics need, over any run of such bars [a, b):
 * - sums of rho, rho^2 and min(rho, 0)^2: prefix arrays, `P[b] - P[a]`;
 * - the largest and smallest close and the largest drawdown of the close inside the run,
 *   `max_k (1 - close[k] / max(close[a..k]))`: a segment tree over blocks of BLOCK bars
 *   (the drawdown composes: dd(L then R) = max(dd(L), dd(R), 1 - min(R) / max(L))),
 *   with the partial blocks at either end scanned. The bars of the extremes and of the
 *   drawdown's peak and trough are kept too, so the account can evaluate the drawdown as
 *   the per-bar kernel does, `1 - (u * close[trough]) / (u * close[peak])`: the same bits
 *   whenever the same pair is the worst (always, but for ties within an ulp).
 */

/** Bars per leaf of the range tree: a query scans at most 2 * BLOCK bars plus O(log n) nodes. */
const BLOCK = 32;

export class CloseIndex {
  readonly n: number;
  /** Prefix sums of rho, rho^2, min(rho, 0)^2 over bars [1, k) (bar 0 has no return); length n + 1. */
  readonly sumR: Float64Array;
  readonly sumR2: Float64Array;
  readonly sumNeg2: Float64Array;
  readonly close: Float64Array;
  /** Segment tree over the blocks: node i has children 2i, 2i+1; leaves at [leaves, 2 * leaves). */
  private readonly leaves: number;
  private readonly tMax: Float64Array;
  private readonly tMin: Float64Array;
  private readonly tDd: Float64Array;
  /** Bars of each node's max, min, and its drawdown's peak and trough. */
  private readonly tMaxAt: Int32Array;
  private readonly tMinAt: Int32Array;
  private readonly tPeakAt: Int32Array;
  private readonly tTroughAt: Int32Array;
  /** Right-hand nodes of a query, visited in reverse (no allocation per query). */
  private readonly stack = new Int32Array(64);
  /** The last query's result: largest close, smallest close, largest drawdown, and their bars (-1: no drawdown). */
  max = -Infinity;
  min = Infinity;
  dd = 0;
  maxAt = -1;
  minAt = -1;
  peakAt = -1;
  troughAt = -1;

  constructor(close: Float64Array) {
    const n = close.length;
    this.n = n;
    this.close = close;
    this.sumR = new Float64Array(n + 1);
    this.sumR2 = new Float64Array(n + 1);
    this.sumNeg2 = new Float64Array(n + 1);
    prefixSums(close, this.sumR, this.sumR2, this.sumNeg2);
    const blocks = Math.max(1, Math.ceil(n / BLOCK));
    let leaves = 1;
    while (leaves < blocks) leaves <<= 1;
    this.leaves = leaves;
    this.tMax = new Float64Array(2 * leaves).fill(-Infinity);
    this.tMin = new Float64Array(2 * leaves).fill(Infinity);
    this.tDd = new Float64Array(2 * leaves);
    this.tMaxAt = new Int32Array(2 * leaves).fill(-1);
    this.tMinAt = new Int32Array(2 * leaves).fill(-1);
    this.tPeakAt = new Int32Array(2 * leaves).fill(-1);
    this.tTroughAt = new Int32Array(2 * leaves).fill(-1);
    for (let b = 0; b < blocks; b++) {
      this.reset();
      this.scan(b * BLOCK, Math.min(n, (b + 1) * BLOCK));
      this.store(leaves + b);
    }
    for (let i = leaves - 1; i >= 1; i--) {
      // Node i = its left child, then its right child appended.
      this.load(2 * i);
      if (this.tMin[2 * i + 1] !== Infinity) this.push(2 * i + 1);
      this.store(i);
    }
  }

  private store(i: number): void {
    this.tMax[i] = this.max;
    this.tMin[i] = this.min;
    this.tDd[i] = this.dd;
    this.tMaxAt[i] = this.maxAt;
    this.tMinAt[i] = this.minAt;
    this.tPeakAt[i] = this.peakAt;
    this.tTroughAt[i] = this.troughAt;
  }

  private load(i: number): void {
    this.max = this.tMax[i];
    this.min = this.tMin[i];
    this.dd = this.tDd[i];
    this.maxAt = this.tMaxAt[i];
    this.minAt = this.tMinAt[i];
    this.peakAt = this.tPeakAt[i];
    this.troughAt = this.tTroughAt[i];
  }

  /** Bytes held (for the cache budget and the bench). */
  get bytes(): number {
    return 8 * (3 * (this.n + 1) + 6 * this.leaves) + 4 * 8 * this.leaves;
  }

  /** max, min and dd of close over bars [a, b), a < b, into this.max / this.min / this.dd. */
  query(a: number, b: number): void {
    this.reset();
    const headEnd = Math.min(b, Math.ceil(a / BLOCK) * BLOCK);
    this.scan(a, headEnd);
    if (headEnd === b) return;
    const lb = headEnd / BLOCK;
    const rb = Math.floor(b / BLOCK);
    if (lb < rb) {
      // Bottom-up over the half-open block range [lb, rb): left nodes come in order, right
      // nodes in reverse (kept on the stack).
      let l = lb + this.leaves;
      let r = rb + this.leaves;
      let top = 0;
      while (l < r) {
        if (l & 1) this.push(l++);
        if (r & 1) this.stack[top++] = --r;
        l >>= 1;
        r >>= 1;
      }
      while (top > 0) this.push(this.stack[--top]);
    }
    this.scan(Math.max(headEnd, rb * BLOCK), b);
  }

  private reset(): void {
    this.max = -Infinity;
    this.min = Infinity;
    this.dd = 0;
    this.maxAt = -1;
    this.minAt = -1;
    this.peakAt = -1;
    this.troughAt = -1;
  }

  /** Append bars [a, b) to the running result. */
  private scan(a: number, b: number): void {
    const c = this.close;
    let mx = this.max;
    let mn = this.min;
    let dd = this.dd;
    let mxAt = this.maxAt;
    let mnAt = this.minAt;
    let pkAt = this.peakAt;
    let trAt = this.troughAt;
    for (let k = a; k < b; k++) {
      const x = c[k];
      if (x > mx) {
        mx = x;
        mxAt = k;
      } else if (x < mx * (1 - dd)) {
        const d = 1 - x / mx;
        if (d > dd) {
          dd = d;
          pkAt = mxAt;
          trAt = k;
        }
      }
      if (x < mn) {
        mn = x;
        mnAt = k;
      }
    }
    this.max = mx;
    this.min = mn;
    this.dd = dd;
    this.maxAt = mxAt;
    this.minAt = mnAt;
    this.peakAt = pkAt;
    this.troughAt = trAt;
  }

  /** Append tree node i (the bars after the running result's). */
  private push(i: number): void {
    const nMin = this.tMin[i];
    if (this.max > -Infinity) {
      const cross = 1 - nMin / this.max;
      if (cross > this.dd) {
        this.dd = cross;
        this.peakAt = this.maxAt;
        this.troughAt = this.tMinAt[i];
      }
    }
    if (this.tDd[i] > this.dd) {
      this.dd = this.tDd[i];
      this.peakAt = this.tPeakAt[i];
      this.troughAt = this.tTroughAt[i];
    }
    if (this.tMax[i] > this.max) {
      this.max = this.tMax[i];
      this.maxAt = this.tMaxAt[i];
    }
    if (nMin < this.min) {
      this.min = nMin;
      this.minAt = this.tMinAt[i];
    }
  }
}

/**
 * Prefix sums, each carried with a Neumaier compensation term and stored rounded, so
 * P[b] - P[a] is within an ulp or two of the exact sum of the run.
 */
function prefixSums(close: Float64Array, p1: Float64Array, p2: Float64Array, p3: Float64Array): void {
  const n = close.length;
  let s1 = 0, c1 = 0, s2 = 0, c2 = 0, s3 = 0, c3 = 0;
  if (n > 0) p1[1] = p2[1] = p3[1] = 0;
  for (let k = 1; k < n; k++) {
    const r = close[k] / close[k - 1] - 1;
    const r2 = r * r;
    const d = r < 0 ? r2 : 0;
    let t = s1 + r;
    c1 += Math.abs(s1) >= Math.abs(r) ? s1 - t + r : r - t + s1;
    s1 = t;
    t = s2 + r2;
    c2 += s2 >= r2 ? s2 - t + r2 : r2 - t + s2;
    s2 = t;
    t = s3 + d;
    c3 += s3 >= d ? s3 - t + d : d - t + s3;
    s3 = t;
    p1[k + 1] = s1 + c1;
    p2[k + 1] = s2 + c2;
    p3[k + 1] = s3 + c3;
  }
}

/** One index per close array (a worker's bars live as long as the worker). */
const indexes = new WeakMap<Float64Array, CloseIndex>();

export function closeIndexOf(close: Float64Array): CloseIndex {
  let idx = indexes.get(close);
  if (idx === undefined) indexes.set(close, (idx = new CloseIndex(close)));
  return idx;
}
