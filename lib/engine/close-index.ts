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
/** Bars per block of the O(1) extremes (`extremes`): a run inside one block is scanned. */
const EXT_BLOCK = 128;
/**
 * What the event path reads at a run's ends, one row of ROW doubles per bar k (row n: the
 * prefix sums only), so a run [a, b) touches rows a, b - 1 and b (a few cache lines) rather
 * than eight arrays: prefix sums of rho, rho^2, min(rho, 0)^2 over bars [1, k); the max and
 * min of close from k's block start to k and from k to its block end; close[k].
 */
const ROW = 8;
const R_SUM = 0;
const R_SUM2 = 1;
const R_NEG2 = 2;
const R_PRE_MAX = 3;
const R_PRE_MIN = 4;
const R_SUF_MAX = 5;
const R_SUF_MIN = 6;
const R_CLOSE = 7;
/**
 * The row layout for account.ts. Exported as one object and copied into module constants
 * there: an exported `const` compiles to a property load (`exports.ROW`) at every use, which
 * the optimising compiler does not fold in a hot loop.
 */
export const ROW_LAYOUT = { ROW, R_SUM, R_SUM2, R_NEG2, R_CLOSE } as const;

/** Everything a CloseIndex holds, so a worker thread can adopt one built elsewhere (SharedArrayBuffers). */
export interface CloseIndexArrays {
  readonly rows: Float64Array;
  readonly tMax: Float64Array;
  readonly tMin: Float64Array;
  readonly tDd: Float64Array;
  readonly tMaxAt: Int32Array;
  readonly tMinAt: Int32Array;
  readonly tPeakAt: Int32Array;
  readonly tTroughAt: Int32Array;
  readonly spMax: Float64Array;
  readonly spMin: Float64Array;
}

export class CloseIndex {
  readonly n: number;
  /** Per-bar rows (ROW doubles each, n + 1 rows): prefix sums, in-block extremes, close. */
  readonly rows: Float64Array;
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
  /** O(1) extremes of any run: per level k, the max and min over 2^k EXT_BLOCKs from each (a sparse table). */
  private readonly spMax: Float64Array;
  private readonly spMin: Float64Array;
  private readonly blocks: number;
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

  /**
   * Built from close; with `from`, adopts arrays built elsewhere for the same values
   * (`arrays`, another thread). `shared`: build into SharedArrayBuffers.
   */
  constructor(close: Float64Array, from?: CloseIndexArrays, shared = false) {
    const n = close.length;
    this.n = n;
    this.close = close;
    const blocks = Math.max(1, Math.ceil(n / BLOCK));
    let leaves = 1;
    while (leaves < blocks) leaves <<= 1;
    this.leaves = leaves;
    const eb = Math.max(1, Math.ceil(n / EXT_BLOCK));
    this.blocks = eb;
    const levels = 32 - Math.clz32(eb);
    if (from !== undefined) {
      if (from.rows.length !== (n + 1) * ROW || from.tMax.length !== 2 * leaves || from.spMax.length !== levels * eb) throw new Error("CloseIndex: arrays of another length");
      this.rows = from.rows;
      this.tMax = from.tMax;
      this.tMin = from.tMin;
      this.tDd = from.tDd;
      this.tMaxAt = from.tMaxAt;
      this.tMinAt = from.tMinAt;
      this.tPeakAt = from.tPeakAt;
      this.tTroughAt = from.tTroughAt;
      this.spMax = from.spMax;
      this.spMin = from.spMin;
      return;
    }
    const buf = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const f64 = (len: number) => new Float64Array(buf(8 * len));
    const i32 = (len: number) => new Int32Array(buf(4 * len));
    this.rows = f64((n + 1) * ROW);
    prefixSums(close, this.rows);
    this.tMax = f64(2 * leaves).fill(-Infinity);
    this.tMin = f64(2 * leaves).fill(Infinity);
    this.tDd = f64(2 * leaves);
    this.tMaxAt = i32(2 * leaves).fill(-1);
    this.tMinAt = i32(2 * leaves).fill(-1);
    this.tPeakAt = i32(2 * leaves).fill(-1);
    this.tTroughAt = i32(2 * leaves).fill(-1);
    for (let b = 0; b < blocks; b++) {
      this.reset();
      this.scan(b * BLOCK, Math.min(n, (b + 1) * BLOCK));
      this.store(leaves + b);
    }
    this.spMax = f64(levels * eb);
    this.spMin = f64(levels * eb);
    const rows = this.rows;
    for (let b = 0; b < eb; b++) {
      const a0 = b * EXT_BLOCK;
      const b0 = Math.min(n, a0 + EXT_BLOCK);
      let mx = -Infinity;
      let mn = Infinity;
      for (let k = a0; k < b0; k++) {
        if (close[k] > mx) mx = close[k];
        if (close[k] < mn) mn = close[k];
        rows[k * ROW + R_PRE_MAX] = mx;
        rows[k * ROW + R_PRE_MIN] = mn;
        rows[k * ROW + R_CLOSE] = close[k];
      }
      this.spMax[b] = mx;
      this.spMin[b] = mn;
      mx = -Infinity;
      mn = Infinity;
      for (let k = b0 - 1; k >= a0; k--) {
        if (close[k] > mx) mx = close[k];
        if (close[k] < mn) mn = close[k];
        rows[k * ROW + R_SUF_MAX] = mx;
        rows[k * ROW + R_SUF_MIN] = mn;
      }
    }
    for (let lv = 1; lv < levels; lv++) {
      const o = lv * eb;
      const h = 1 << (lv - 1);
      for (let b = 0; b + (1 << lv) <= eb; b++) {
        this.spMax[o + b] = Math.max(this.spMax[o - eb + b], this.spMax[o - eb + b + h]);
        this.spMin[o + b] = Math.min(this.spMin[o - eb + b], this.spMin[o - eb + b + h]);
      }
    }
    for (let i = leaves - 1; i >= 1; i--) {
      // Node i = its left child, then its right child appended.
      this.load(2 * i);
      if (this.tMin[2 * i + 1] !== Infinity) this.push(2 * i + 1);
      this.store(i);
    }
  }

  /** The arrays (to hand to another thread when built with `shared`). */
  arrays(): CloseIndexArrays {
    const { rows, tMax, tMin, tDd, tMaxAt, tMinAt, tPeakAt, tTroughAt, spMax, spMin } = this;
    return { rows, tMax, tMin, tDd, tMaxAt, tMinAt, tPeakAt, tTroughAt, spMax, spMin };
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
    return 8 * (this.rows.length + 6 * this.leaves + this.spMax.length + this.spMin.length) + 4 * 8 * this.leaves;
  }

  /**
   * The largest and smallest close over bars [a, b), a < b, into this.max / this.min, in
   * O(1) (a run inside one block is scanned: at most BLOCK bars). The same values as
   * `query`; the bars of the extremes and the drawdown are not computed.
   */
  extremes(a: number, b: number): void {
    const last = b - 1;
    const ba = (a / EXT_BLOCK) | 0;
    const bb = (last / EXT_BLOCK) | 0;
    const rows = this.rows;
    let mx: number;
    let mn: number;
    if (ba === bb) {
      // Inside one block: scanned on the close array itself (8 closes a cache line; the
      // rows hold one each).
      const close = this.close;
      mx = -Infinity;
      mn = Infinity;
      for (let k = a; k < b; k++) {
        const x = close[k];
        if (x > mx) mx = x;
        if (x < mn) mn = x;
      }
    } else {
      const ra = a * ROW;
      const rl = last * ROW;
      mx = rows[ra + R_SUF_MAX] > rows[rl + R_PRE_MAX] ? rows[ra + R_SUF_MAX] : rows[rl + R_PRE_MAX];
      mn = rows[ra + R_SUF_MIN] < rows[rl + R_PRE_MIN] ? rows[ra + R_SUF_MIN] : rows[rl + R_PRE_MIN];
      const l = ba + 1;
      const r = bb; // full blocks [l, r)
      if (l < r) {
        const lv = 31 - Math.clz32(r - l);
        const o = lv * this.blocks;
        const x1 = this.spMax[o + l];
        const x2 = this.spMax[o + r - (1 << lv)];
        const y1 = this.spMin[o + l];
        const y2 = this.spMin[o + r - (1 << lv)];
        if (x1 > mx) mx = x1;
        if (x2 > mx) mx = x2;
        if (y1 < mn) mn = y1;
        if (y2 < mn) mn = y2;
      }
    }
    this.max = mx;
    this.min = mn;
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
function prefixSums(close: Float64Array, rows: Float64Array): void {
  const n = close.length;
  let s1 = 0, c1 = 0, s2 = 0, c2 = 0, s3 = 0, c3 = 0;
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
    const o = (k + 1) * ROW;
    rows[o + R_SUM] = s1 + c1;
    rows[o + R_SUM2] = s2 + c2;
    rows[o + R_NEG2] = s3 + c3;
  }
}

/** One index per close array (a worker's bars live as long as the worker). */
const indexes = new WeakMap<Float64Array, CloseIndex>();

export function closeIndexOf(close: Float64Array, shared = false): CloseIndex {
  let idx = indexes.get(close);
  if (idx === undefined) indexes.set(close, (idx = new CloseIndex(close, undefined, shared)));
  return idx;
}

/** Use an index built elsewhere (another thread, the same close values) for `close`. */
export function adoptCloseIndex(close: Float64Array, arrays: CloseIndexArrays): void {
  indexes.set(close, new CloseIndex(close, arrays));
}
