/**
 * The account loop of EVALUATOR-CONTRACT, with every metric of every period accumulated
 * in the same pass. Pure and allocation-free per bar (full output aside).
 *
 * The whole state is two Float64Arrays (scalars `st`, per-period `per`), so a caller can
 * checkpoint between any two bars (`snapshot` / `restore`) and resume to bit-identical
 * results: the fast evaluator and the resumable backtest run this same function.
 *
 * Periods are trailing windows [s_p, last]. Additive figures (sums of returns, swaps,
 * fees, round trips) are kept once for the run and snapshotted when a period starts, so a
 * period's figure is (total - snapshot). Peaks and drawdowns are kept per period.
 */
import type { CostTable } from "../costs/cost-table";
import { MS_PER_YEAR } from "../data/bars";
import { CAGR_CAP, PROFIT_FACTOR_CAP, SORTINO_CAP, type Fill, type Metrics, type RoundTrip } from "./metrics";
import { ROW_LAYOUT, type CloseIndex } from "./close-index";
import { setObjectives } from "./objectives";

// Scalar state, st[...]
const NEXT = 0; // next bar to process
const CASH = 1;
const UNITS = 2;
const POS = 3; // executed target exposure
const PREV_E = 4; // equity at the last close (trade_size before bar 0)
const RUINED = 5;
const ABORTED = 6;
const OVER_MAX = 7; // swaps above the largest bucket
const IN_TRADE = 8;
const ENTRY_EQ = 9;
const ENTRY_BAR = 10;
const ACTIVE = 11; // periods started so far (a prefix of the sorted periods)
const BUST = 12; // equity reached zero
const SUMS = 13; // additive accumulators follow
const S_RET = 0; // sum of per-bar returns
const S_RET2 = 1; // sum of squared returns
const S_NEG2 = 2; // sum of squared negative returns
const S_EXPO = 3; // bars with exposure > 0
const S_SWAPS = 4;
const S_FEES = 5;
const S_TRADES = 6; // completed round trips
const S_WINS = 7;
const S_GROSS_WIN = 8;
const S_GROSS_LOSS = 9;
// Compensation terms of S_RET, S_RET2, S_NEG2 (TwoSum): a period reads (total - snapshot),
// and without them that difference loses precision when the period's returns are small
// beside the run's.
const C_RET = 10;
const C_RET2 = 11;
const C_NEG2 = 12;
const N_SUMS = 13;
const N_ST = SUMS + N_SUMS;
// The close index's row layout, as module constants (see ROW_LAYOUT).
const { ROW, R_SUM, R_SUM2, R_NEG2, R_CLOSE } = ROW_LAYOUT;
/** runEvents touches the data of the next TOUCH_BATCH events when fewer than TOUCH_AHEAD are touched ahead. */
const TOUCH_BATCH = 32;
const TOUCH_AHEAD = 8;
/**
 * Slack between the bound 1 - min / max on a run's own drawdown and a period's worst
 * drawdown before the event path skips computing the run's (both within a few ulps of
 * their exact values, which differ by at least this much).
 */
const DD_MARGIN = 1e-12;
/** Holdings worth at most this fraction of a sell's notional after it are rounding dust. */
const DUST = 1e-12;
// Per period, per[p * PER + ...], p in start order
const P_BASE = 0;
const P_PEAK = 1;
const P_MAXDD = 2;
const P_SNAP = 3;
const PER = P_SNAP + N_SUMS;

export interface AccountConfig {
  readonly t: Float64Array;
  readonly open: Float64Array;
  readonly close: Float64Array;
  /** Target exposure decided at each bar's close. */
  readonly w: Float64Array;
  readonly costs: CostTable;
  readonly tradeSize: number;
  readonly barMs: number;
  /** First bar of each period; any order. */
  readonly periodStarts: readonly number[];
  /** Stop once the whole-run drawdown exceeds this (early-abort hook for pruning). */
  readonly abortDrawdown?: number;
  /** Record equity, fills and round trips (for plots; allocates per swap). */
  readonly full?: boolean;
  /**
   * State buffers to reuse (zeroed here), from `accountBuffers(periods)`: an evaluator
   * that runs one account at a time allocates them once. The Account owns them until the
   * next one is created with them.
   */
  readonly buffers?: AccountBuffers;
}

export interface AccountBuffers {
  readonly st: Float64Array;
  readonly per: Float64Array;
}

export function accountBuffers(periods: number): AccountBuffers {
  return { st: new Float64Array(N_ST), per: new Float64Array(periods * PER) };
}

/** Period starts sorted ascending and the config index of each; memoised per starts array. */
const periodOrders = new WeakMap<readonly number[], { order: Int32Array; starts: Int32Array }>();

function periodOrder(periodStarts: readonly number[]): { order: Int32Array; starts: Int32Array } {
  let hit = periodOrders.get(periodStarts);
  // Re-checked on every use: a caller may have changed the array since.
  let same = hit !== undefined && hit.starts.length === periodStarts.length;
  for (let k = 0; same && k < periodStarts.length; k++) same = periodStarts[hit!.order[k]] === hit!.starts[k];
  if (same) return hit!;
  const idx = Array.from({ length: periodStarts.length }, (_, i) => i).sort((a, b) => periodStarts[a] - periodStarts[b] || a - b);
  hit = { order: Int32Array.from(idx), starts: Int32Array.from(idx, (i) => periodStarts[i]) };
  periodOrders.set(periodStarts, hit);
  return hit;
}

/** Everything needed to continue: plain JSON (numbers survive a JSON round trip exactly). */
export interface AccountState {
  st: number[];
  per: number[];
}

/** The human-readable part of a snapshot (checkpoint files show it beside the raw state). */
export function accountStateView(s: AccountState): { cash: number; units: number; position: number; equity: number } {
  return { cash: s.st[CASH], units: s.st[UNITS], position: s.st[POS], equity: s.st[PREV_E] };
}

interface Recorder {
  equity: Float64Array;
  fills: Fill[];
  roundTrips: RoundTrip[];
}

/**
 * When `runEvents` hands over to the per-bar kernel: from bar `from` on, as soon as the
 * events left are more than one per `barsPerSwap` bars (a ruined account has none left).
 */
export interface DenseRule {
  readonly from: number;
  readonly barsPerSwap: number;
}

/**
 * A signal computed as the event path goes (Strategy.swapRange): `more()` lists the swaps
 * of the next stretch of bars in the events list and returns the events listed so far;
 * `complete` once every bar is done. The account asks for more only while it needs the
 * next event, so a run that ruins early leaves the rest of the signal uncomputed.
 * `targets(a, b)` writes w[a..b) from the swaps listed (the per-bar kernel reads w only
 * there), for bars whose swaps are all listed.
 */
export interface LazyEvents {
  more(): number;
  readonly complete: boolean;
  targets(a: number, b: number): void;
}

/** One account run: config + state + the kernel. */
export class Account {
  readonly n: number;
  private readonly st: Float64Array;
  private readonly per: Float64Array;
  /** Period starts sorted ascending, and the config index of each. */
  private readonly starts: Int32Array;
  private readonly order: Int32Array;
  private readonly rec: Recorder | null;

  constructor(private readonly cfg: AccountConfig) {
    this.n = cfg.t.length;
    const P = cfg.periodStarts.length;
    const sorted = periodOrder(cfg.periodStarts);
    this.order = sorted.order;
    this.starts = sorted.starts;
    const buf = cfg.buffers;
    if (buf !== undefined && buf.st.length === N_ST && buf.per.length === P * PER) {
      this.st = buf.st.fill(0);
      this.per = buf.per.fill(0);
    } else {
      this.st = new Float64Array(N_ST);
      this.per = new Float64Array(P * PER);
    }
    this.st[CASH] = cfg.tradeSize;
    this.st[PREV_E] = cfg.tradeSize;
    this.st[ENTRY_BAR] = -1;
    this.rec = cfg.full ? { equity: new Float64Array(this.n), fills: [], roundTrips: [] } : null;
  }

  get next(): number {
    return this.st[NEXT];
  }
  get ruined(): boolean {
    return this.st[RUINED] !== 0;
  }
  get aborted(): boolean {
    return this.st[ABORTED] !== 0;
  }
  get overMaxBucket(): number {
    return this.st[OVER_MAX];
  }
  get done(): boolean {
    return this.aborted || this.next >= this.n;
  }
  get cash(): number {
    return this.st[CASH];
  }
  get units(): number {
    return this.st[UNITS];
  }
  /** The executed target exposure. */
  get position(): number {
    return this.st[POS];
  }
  /** Equity at the close of the last processed bar. */
  get lastEquity(): number {
    return this.st[PREV_E];
  }
  get equity(): Float64Array | null {
    return this.rec ? this.rec.equity : null;
  }
  get fills(): Fill[] | null {
    return this.rec ? this.rec.fills : null;
  }
  get roundTrips(): RoundTrip[] | null {
    return this.rec ? this.rec.roundTrips : null;
  }

  /** Process bars [next, to). Returns false when the run was aborted. */
  run(to: number = this.n): boolean {
    const c = this.cfg;
    runBars(c, this.starts, this.st, this.per, Math.min(to, this.n) | 0, this.rec);
    return this.st[ABORTED] === 0;
  }

  /**
   * Process bars [next, n) event by event (docs/evaluator.md, "Event-driven account"): each
   * bar in `events` (every bar where a swap may fill; any superset works) and each
   * period start goes through the per-bar kernel; the bars between two events are
   * fast-forwarded from `idx` when the account holds only units or only cash, and go
   * through the per-bar kernel otherwise. Same results as `run()` (counts, cash, units,
   * fees and drawdowns bit for bit; sums of returns to rounding). Not with full output.
   */
  runEvents(idx: CloseIndex, events: Int32Array, nEvents: number, dense?: DenseRule, lazy?: LazyEvents): boolean {
    const c = this.cfg;
    if (this.rec !== null) throw new Error("runEvents: full output needs run()");
    const { st, per, starts, n } = this;
    // Doubles are read inside the callees, not passed: a double argument to a call that
    // is not inlined is boxed, an allocation per event.
    let e = 0;
    let j = st[NEXT] | 0;
    if (lazy !== undefined) nEvents = lazy.more();
    while (e < nEvents && events[e] < j) e++;
    // Each event reads a few cache lines far from the last one's (its bar's open and
    // close, the close index rows around it), mostly not in any cache. Loaded one event at a
    // time, each miss stalls the event's work; so the next events' lines are loaded ahead,
    // a batch at a time, by a loop of independent loads the CPU keeps many of in flight.
    // The loads feed `sink`, or the compiler drops them.
    let touched = e;
    let sink = 0;
    while (j < n) {
      if (touched < e + TOUCH_AHEAD && touched < nEvents) {
        const to = nEvents < touched + TOUCH_BATCH ? nEvents : touched + TOUCH_BATCH;
        sink += touchEvents(idx.rows, c.open, c.close, events, touched > e ? touched : e, to);
        touched = to;
      }
      if (lazy !== undefined) lazy.targets(j >= 2 ? j - 2 : 0, j);
      runBars(c, starts, st, per, j + 1, null);
      if (st[ABORTED] !== 0) return false;
      j++;
      // Once ruined no swap fills (the kernel ignores targets), so the events left change
      // nothing: the rest of the run is one stretch between period starts, and a lazy
      // signal is not computed any further.
      if (st[RUINED] !== 0) e = nEvents;
      for (;;) {
        while (e < nEvents && events[e] < j) e++;
        if (e < nEvents || lazy === undefined || lazy.complete || st[RUINED] !== 0) break;
        nEvents = lazy.more(); // the next event: the signal computed on as far as it takes
      }
      if (dense !== undefined && j >= dense.from && st[RUINED] === 0 && (lazy !== undefined ? e * dense.barsPerSwap > j : (nEvents - e) * dense.barsPerSwap > n - j)) {
        // Swaps still too dense for events to beat the kernel (those left, or with a lazy
        // signal those so far): it takes the rest (the same state), on the whole signal.
        if (lazy !== undefined) {
          while (!lazy.complete) lazy.more();
          lazy.targets(j >= 2 ? j - 2 : 0, n - 1);
        }
        runBars(c, starts, st, per, n, null);
        return st[ABORTED] === 0;
      }
      let next = e < nEvents ? events[e] : n;
      const active = st[ACTIVE] | 0;
      if (active < starts.length && starts[active] < next) next = starts[active];
      if (next > j) {
        if (!fastForward(idx, c, st, per, active, j, next)) {
          if (lazy !== undefined) lazy.targets(j >= 2 ? j - 2 : 0, next - 1);
          runBars(c, starts, st, per, next, null);
          if (st[ABORTED] !== 0) return false;
        }
        j = next;
      }
    }
    this.sink = sink;
    return true;
  }

  /** Where runEvents' touch loads end up (never read). */
  private sink = 0;

  /** Process the next bar only (the bar-by-bar engine's unit of work). */
  step(): boolean {
    return this.run(this.next + 1);
  }

  snapshot(): AccountState {
    return { st: Array.from(this.st), per: Array.from(this.per) };
  }

  /** Continue from a snapshot taken by an Account with the same config. */
  restore(s: AccountState): void {
    if (s.st.length !== N_ST || s.per.length !== this.per.length) throw new Error("account state does not match this configuration");
    this.st.set(s.st);
    this.per.set(s.per);
  }

  /**
   * Put back fills and round trips recorded before a snapshot (full output only), so a
   * resumed run reports the same trades as an uninterrupted one. Equity before the resume
   * point is not restored: keep samples of it in the caller's state if needed.
   */
  restoreRecords(fills: readonly Fill[], roundTrips: readonly RoundTrip[]): void {
    if (this.rec === null) throw new Error("restoreRecords needs an Account created with full: true");
    this.rec.fills.length = 0;
    this.rec.fills.push(...fills);
    this.rec.roundTrips.length = 0;
    this.rec.roundTrips.push(...roundTrips);
  }

  /**
   * Metrics of every period (in config order) over bars [0, next). A period that has not
   * started yet (a run stopped early) reports an empty window.
   */
  metrics(): Metrics[] {
    const { st, per, starts } = this;
    const { t, tradeSize, barMs } = this.cfg;
    const P = starts.length;
    const out = new Array<Metrics>(P);
    const next = st[NEXT];
    const last = Math.max(0, next - 1);
    const eLast = st[PREV_E];
    const rootB = barMs > 0 ? Math.sqrt(MS_PER_YEAR / barMs) : 0;
    for (let p = 0; p < P; p++) {
      const started = p < st[ACTIVE];
      const s = started ? starts[p] : next;
      const nBars = started ? next - s : 0;
      const base = started ? per[p * PER + P_BASE] : eLast;
      // A period's additive figure: the run-long sum minus its snapshot (0 before it starts).
      const o = p * PER + P_SNAP;
      const sumR = started ? st[SUMS + S_RET] - per[o + S_RET] + (st[SUMS + C_RET] - per[o + C_RET]) : 0;
      const sumR2 = started ? st[SUMS + S_RET2] - per[o + S_RET2] + (st[SUMS + C_RET2] - per[o + C_RET2]) : 0;
      const sumNeg2 = started ? st[SUMS + S_NEG2] - per[o + S_NEG2] + (st[SUMS + C_NEG2] - per[o + C_NEG2]) : 0;
      const mean = nBars > 0 ? sumR / nBars : 0;
      const variance = nBars > 1 ? Math.max(0, (sumR2 - sumR * mean) / (nBars - 1)) : 0;
      const sd = Math.sqrt(variance);
      const downside = nBars > 0 ? Math.sqrt(sumNeg2 / nBars) : 0;
      const growth = base > 0 ? eLast / base : 0;
      const spanMs = nBars > 0 ? t[last] - t[s] + barMs : 0;
      const trades = started ? st[SUMS + S_TRADES] - per[o + S_TRADES] : 0;
      const grossWin = started ? st[SUMS + S_GROSS_WIN] - per[o + S_GROSS_WIN] : 0;
      const grossLoss = started ? st[SUMS + S_GROSS_LOSS] - per[o + S_GROSS_LOSS] : 0;
      // One object literal per period, objectives filled in place (no spreads: an
      // evaluation allocates a few hundred bytes per period, docs/benchmarks.md).
      const m: Metrics = {
        // The whole run's final balance is E[last] itself; a trailing period's is the
        // balance had it started with trade_size.
        final_balance: started && s === 0 ? eLast : tradeSize * growth,
        total_return: growth - 1,
        // Annualising a short window can overflow (growth^(year/span)); capped (documented).
        cagr: spanMs > 0 && growth > 0 ? Math.min(CAGR_CAP, Math.pow(growth, MS_PER_YEAR / spanMs) - 1) : spanMs > 0 ? -1 : 0,
        max_drawdown: started ? per[p * PER + P_MAXDD] : 0,
        sharpe: sd > 0 ? (mean / sd) * rootB : 0,
        // No losing bar: the ratio is unbounded; capped like profit_factor.
        sortino: downside > 0 ? Math.min(SORTINO_CAP, (mean / downside) * rootB) : mean > 0 ? SORTINO_CAP : 0,
        volatility: sd * rootB,
        fees: started ? st[SUMS + S_FEES] - per[o + S_FEES] : 0,
        swaps: started ? st[SUMS + S_SWAPS] - per[o + S_SWAPS] : 0,
        trades,
        win_rate: trades > 0 ? (st[SUMS + S_WINS] - per[o + S_WINS]) / trades : 0,
        profit_factor: grossLoss > 0 ? Math.min(PROFIT_FACTOR_CAP, grossWin / grossLoss) : grossWin > 0 ? PROFIT_FACTOR_CAP : 0,
        exposure: nBars > 0 ? (started ? st[SUMS + S_EXPO] - per[o + S_EXPO] : 0) / nBars : 0,
        profit_biased: 0,
        cps_v2_profit_biased: 0,
        mar: 0,
        utility: 0,
        cps: 0,
        cps_v2: 0,
        bars: nBars,
        start: nBars > 0 ? t[s] : (t[last] ?? 0),
      };
      setObjectives(m, base > 0 ? base : tradeSize);
      out[this.order[p]] = m;
    }
    return out;
  }
}

/**
 * Loads the lines events [from, to) will read: open and close at the bar, and the close
 * index rows from the bar before to the bar after (runEvents). Returns their sum.
 */
function touchEvents(rows: Float64Array, open: Float64Array, close: Float64Array, events: Int32Array, from: number, to: number): number {
  let s = 0;
  for (let k = from; k < to; k++) {
    const q = events[k];
    const r = q * ROW;
    s += open[q] + close[q] + rows[r - ROW] + rows[r] + rows[r + ROW] + rows[r + 2 * ROW - 1];
  }
  return s;
}

/**
 * Bars [a, b) with no swap and no period start, in closed form, when the account holds
 * only units (E[k] = units * close[k]) or only cash (E[k] = cash); returns false, having
 * changed nothing, when it cannot (both held, a non-positive close, or the early abort
 * would trigger inside the run: the per-bar kernel then takes these bars).
 */
function fastForward(idx: CloseIndex, cfg: AccountConfig, st: Float64Array, per: Float64Array, active: number, a: number, b: number): boolean {
  const abortDd = cfg.abortDrawdown ?? Infinity;
  const cash = st[CASH];
  const units = st[UNITS];
  // Only cash: every close marks E = cash = the last mark (r = 0, no new peak); the
  // per-bar kernel skips these bars outright.
  if (units === 0 && st[PREV_E] === cash) {
    st[NEXT] = b;
    return true;
  }
  if (cash !== 0 || !(units > 0) || st[BUST] !== 0) return false;
  idx.extremes(a, b);
  if (!(idx.min > 0)) return false;
  const hi = units * idx.max;
  const lo = units * idx.min;
  const close = idx.close;
  // The run's own worst drawdown is at most 1 - min / max. When that bound is below every
  // active period's worst drawdown so far, the run's own cannot change any of them and is
  // not computed (the common case: a run of a few hundred bars inside a long history).
  let least = Infinity;
  for (let p = 0; p < active; p++) if (per[p * PER + P_MAXDD] < least) least = per[p * PER + P_MAXDD];
  let dd = 0;
  if (abortDd < Infinity || !(1 - idx.min / idx.max + DD_MARGIN < least)) {
    idx.query(a, b);
    // The run's own worst drawdown, computed on the equities as the per-bar kernel does.
    dd = idx.troughAt >= 0 ? 1 - (units * close[idx.troughAt]) / (units * close[idx.peakAt]) : 0;
  }
  for (let p = 0; p < active; p++) {
    // Conservative: a run that would take any period past the abort bound is left to the
    // per-bar kernel, which stops at the exact bar.
    if (abortDd < Infinity && (dd > abortDd || 1 - lo / per[p * PER + P_PEAK] > abortDd)) return false;
  }
  for (let p = 0; p < active; p++) {
    const o = p * PER;
    const pk = per[o + P_PEAK];
    let m = per[o + P_MAXDD];
    const cross = 1 - lo / pk;
    if (cross > m) m = cross;
    if (dd > m) m = dd;
    per[o + P_MAXDD] = m;
    if (hi > pk) per[o + P_PEAK] = hi;
  }
  const rows = idx.rows;
  addRunSum(st, SUMS + S_RET, SUMS + C_RET, rows, a * ROW + R_SUM, b * ROW + R_SUM);
  addRunSum(st, SUMS + S_RET2, SUMS + C_RET2, rows, a * ROW + R_SUM2, b * ROW + R_SUM2);
  addRunSum(st, SUMS + S_NEG2, SUMS + C_NEG2, rows, a * ROW + R_NEG2, b * ROW + R_NEG2);
  if (st[POS] > 0) st[SUMS + S_EXPO] += b - a;
  st[PREV_E] = units * rows[(b - 1) * ROW + R_CLOSE];
  st[NEXT] = b;
  return true;
}

/**
 * st[s] += prefix[b] - prefix[a] (prefix values at rows[ia], rows[ib]), the TwoSum error into st[c] (as the kernel's running
 * sums). Integer and array arguments only: a double argument to a call that is not
 * inlined is boxed, an allocation per run.
 */
function addRunSum(st: Float64Array, s: number, c: number, rows: Float64Array, ia: number, ib: number): void {
  const x = rows[ib] - rows[ia];
  const sum = st[s];
  const u = sum + x;
  const bp = u - sum;
  st[c] += sum - (u - bp) + (x - bp);
  st[s] = u;
}

/**
 * The kernel: bars [st[NEXT], end). A free function over typed arrays and numbers so
 * the JIT sees one monomorphic shape; the swap path is inline.
 */
function runBars(cfg: AccountConfig, starts: Int32Array, st: Float64Array, per: Float64Array, end: number, rec: Recorder | null): void {
  const { t, open, close, w } = cfg;
  const { sizes, impacts, gas } = cfg.costs;
  const abortDd = cfg.abortDrawdown ?? Infinity;
  const P = starts.length;
  const nb = sizes.length;
  const maxSize = sizes[nb - 1];
  let cash = st[CASH];
  let units = st[UNITS];
  let pos = st[POS];
  let prevE = st[PREV_E];
  let ruined = st[RUINED] !== 0;
  let bust = st[BUST] !== 0;
  let active = st[ACTIVE] | 0; // ints, not doubles: typed-array indexing with a double is the slow path
  let sumR = st[SUMS + S_RET];
  let sumR2 = st[SUMS + S_RET2];
  let sumNeg2 = st[SUMS + S_NEG2];
  let cR = st[SUMS + C_RET];
  let cR2 = st[SUMS + C_RET2];
  let cNeg2 = st[SUMS + C_NEG2];
  let expo = st[SUMS + S_EXPO];
  let nextStart = active < P ? starts[active] : -1;
  // Index (in start order) of the whole-run period, for the abort hook: the one starting at 0.
  const allIdx = P > 0 && starts[0] === 0 ? 0 : -1;
  // e in [bandLo, bandHi] changes no period's peak or drawdown (see the mark below).
  let bandHi = -Infinity;
  let bandLo = Infinity;
  let j = st[NEXT] | 0;
  let wPrev = j >= 2 ? w[j - 2] : 0; // the decision at bar j-2 (0 before bar 0)
  const checkAbort = abortDd < Infinity && allIdx === 0;
  for (; j < end; j++) {
    if (j === nextStart) {
      // Periods starting here: base = equity at the previous close, sums snapshotted
      // before this bar's fill (swaps filled at bars >= s count in the period).
      st[SUMS + S_RET] = sumR;
      st[SUMS + S_RET2] = sumR2;
      st[SUMS + S_NEG2] = sumNeg2;
      st[SUMS + C_RET] = cR;
      st[SUMS + C_RET2] = cR2;
      st[SUMS + C_NEG2] = cNeg2;
      st[SUMS + S_EXPO] = expo;
      while (active < P && starts[active] === j) {
        const o = active * PER;
        per[o + P_BASE] = prevE;
        per[o + P_PEAK] = prevE;
        per[o + P_MAXDD] = 0;
        for (let k = 0; k < N_SUMS; k++) per[o + P_SNAP + k] = st[SUMS + k];
        active++;
      }
      nextStart = active < P ? starts[active] : -1;
      bandHi = -Infinity; // force a full pass at this bar's mark
      bandLo = Infinity;
    }

    // Fill at the open of bar j the target decided at the close of bar j-1 (wp: the
    // decision before it, carried from the previous bar).
    const wi = j >= 1 ? w[j - 1] : 0;
    const wp = wPrev;
    wPrev = wi;
    if (wi !== wp && !ruined) {
      const o = open[j];
      const eOpen = cash + units * o;
      const dw = wi - wp;
      const notional = (dw > 0 ? dw : -dw) * eOpen;
      // Round-up bucket: the smallest size >= notional; above the largest, the largest.
      let k = nb - 1;
      if (notional > maxSize) {
        st[OVER_MAX] += 1;
      } else {
        let lo = 0;
        while (lo < k) {
          const mid = (lo + k) >> 1;
          if (sizes[mid] >= notional) k = mid;
          else lo = mid + 1;
        }
      }
      const cost = notional * impacts[k] + gas;
      if (!(notional > cost)) {
        ruined = true;
        st[RUINED] = 1;
      } else {
        if (dw > 0 && pos === 0) {
          st[IN_TRADE] = 1;
          st[ENTRY_EQ] = eOpen;
          st[ENTRY_BAR] = j;
        }
        if (dw > 0) {
          cash -= notional;
          units += (notional - cost) / o;
        } else {
          units -= notional / o;
          cash += notional - cost;
          // Rounding dust: a full exit leaves ~1e-17 units in floating point (0 in exact
          // arithmetic), and marking dust at every close would turn a flat curve into
          // noise returns (a spurious Sharpe). Units worth under 1e-12 of the swap go.
          if (Math.abs(units) * o <= DUST * notional) units = 0;
        }
        pos = wi;
        st[SUMS + S_SWAPS] += 1;
        st[SUMS + S_FEES] += cost;
        if (rec !== null) rec.fills.push({ bar: j, t: t[j], side: dw > 0 ? "buy" : "sell", target: wi, price: o, notional, cost, equity: eOpen });
        if (wi === 0 && st[IN_TRADE] !== 0) {
          const exitEq = cash + units * o;
          const entryEq = st[ENTRY_EQ];
          const pnl = exitEq - entryEq;
          st[SUMS + S_TRADES] += 1;
          if (pnl > 0) {
            st[SUMS + S_WINS] += 1;
            st[SUMS + S_GROSS_WIN] += pnl;
          } else {
            st[SUMS + S_GROSS_LOSS] -= pnl;
          }
          st[IN_TRADE] = 0;
          if (rec !== null) {
            const eb = st[ENTRY_BAR];
            rec.roundTrips.push({ entryBar: eb, exitBar: j, entryT: t[eb], exitT: t[j], entryEquity: entryEq, exitEquity: exitEq, pnl, return: entryEq > 0 ? exitEq / entryEq - 1 : 0 });
          }
        }
      }
    }

    // Flat and already marked at cash: this close would add r = 0 exactly and move no
    // peak, drawdown or exposure, so skipping it changes no bit of any result. (Most bars
    // of a typical strategy are flat; full output still marks every bar.)
    if (units === 0 && prevE === cash && rec === null) continue;

    // Mark at the close.
    let e = cash + units * close[j];
    if (!(e > 0) && !bust) {
      // Equity never goes below zero (contract): fractional targets can borrow under the
      // contract's fill rule (N = |dw| * E_open), and a fall can then take equity to or
      // below zero. The account is bust: nothing left, no later swap.
      e = 0;
      cash = 0;
      units = 0;
      pos = 0;
      bust = true;
      ruined = true;
      st[RUINED] = 1;
    }
    const r = prevE > 0 ? e / prevE - 1 : 0;
    prevE = e;
    // Compensated (TwoSum, branch-free) running sums of r, r^2 and min(r, 0)^2.
    let u = sumR + r;
    let bp = u - sumR;
    cR += sumR - (u - bp) + (r - bp);
    sumR = u;
    const r2 = r * r;
    u = sumR2 + r2;
    bp = u - sumR2;
    cR2 += sumR2 - (u - bp) + (r2 - bp);
    sumR2 = u;
    const down = (r - Math.abs(r)) * 0.5; // = min(r, 0) exactly, without a branch (the sign of r is a coin flip)
    const d2 = down * down;
    u = sumNeg2 + d2;
    bp = u - sumNeg2;
    cNeg2 += sumNeg2 - (u - bp) + (d2 - bp);
    sumNeg2 = u;
    if (pos > 0) expo += 1;
    if (rec !== null) rec.equity[j] = e;
    // Most bars set no period's new peak or new worst drawdown: one band test skips them.
    if (e > bandHi || e < bandLo) {
      bandHi = Infinity;
      bandLo = -Infinity;
      for (let p = 0; p < active; p++) {
        const o = p * PER;
        const pk = per[o + P_PEAK];
        if (e > pk) per[o + P_PEAK] = e;
        else if (e < pk * (1 - per[o + P_MAXDD])) {
          const dd = 1 - e / pk;
          if (dd > per[o + P_MAXDD]) per[o + P_MAXDD] = dd;
        }
        const hi = per[o + P_PEAK];
        const lo = hi * (1 - per[o + P_MAXDD]);
        if (hi < bandHi) bandHi = hi;
        if (lo > bandLo) bandLo = lo;
      }
    }
    if (checkAbort && active > 0 && per[P_MAXDD] > abortDd) {
      st[ABORTED] = 1;
      j++;
      break;
    }
  }
  st[NEXT] = j > st[NEXT] ? j : st[NEXT];
  st[CASH] = cash;
  st[UNITS] = units;
  st[POS] = pos;
  st[PREV_E] = prevE;
  st[ACTIVE] = active;
  st[SUMS + S_RET] = sumR;
  st[SUMS + S_RET2] = sumR2;
  st[SUMS + S_NEG2] = sumNeg2;
  st[SUMS + C_RET] = cR;
  st[SUMS + C_RET2] = cR2;
  st[SUMS + C_NEG2] = cNeg2;
  st[SUMS + S_EXPO] = expo;
  st[BUST] = bust ? 1 : 0;
}
