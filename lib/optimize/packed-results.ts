/**
 * Task results as they cross from an evaluator thread to the runner: one Float64Array of
 * numbers and a few strings, instead of an object graph of ~100 named numbers a trial.
 * Structured-cloning that graph cost the runner's thread ~80 µs a trial (V8 rebuilds each
 * object property by property), a tenth of a core at 1,500 trials/s that the workers
 * then lacked (docs/benchmarks.md, "Issue 10, round 3"). Numbers travel bit for bit and
 * the objects come back with the evaluator's own key order, so a journal line is the same
 * bytes whichever way its result came.
 */
import type { Metrics } from "../engine/metrics";
import type { TaskResult, TradeSizeResult } from "./task";

/** Numbers of one period's Metrics, in the order account.ts writes them. */
const METRICS = 21;
/** Per trade size: trade_size, ruined, aborted, over_max_bucket, then four periods. */
const PER_SIZE = 4 + 4 * METRICS;
/** Per task: id, started, finished, worker, number of trade sizes. */
const HEAD = 5;

export interface PackedResults {
  readonly data: Float64Array;
  /** Each task's study key. */
  readonly studies: string[];
  /** Error messages by task index (failed tasks). */
  readonly errors: Record<number, string>;
}

export function packResults(results: readonly TaskResult[]): PackedResults {
  let size = 0;
  for (const r of results) size += HEAD + r.results.length * PER_SIZE;
  const d = new Float64Array(size);
  const studies: string[] = [];
  const errors: Record<number, string> = {};
  let o = 0;
  results.forEach((r, i) => {
    studies.push(r.study);
    if (r.error !== undefined) errors[i] = r.error;
    d[o++] = r.id;
    d[o++] = r.started;
    d[o++] = r.finished;
    d[o++] = r.worker;
    d[o++] = r.results.length;
    for (const s of r.results) {
      d[o++] = s.trade_size;
      d[o++] = s.ruined ? 1 : 0;
      d[o++] = s.aborted ? 1 : 0;
      d[o++] = s.over_max_bucket;
      o = putMetrics(d, o, s.periods["30d"]);
      o = putMetrics(d, o, s.periods["90d"]);
      o = putMetrics(d, o, s.periods["1y"]);
      o = putMetrics(d, o, s.periods.all);
    }
  });
  return { data: d, studies, errors };
}

export function unpackResults(p: PackedResults): TaskResult[] {
  const d = p.data;
  const out: TaskResult[] = [];
  let o = 0;
  for (let i = 0; o < d.length; i++) {
    const id = d[o++];
    const started = d[o++];
    const finished = d[o++];
    const worker = d[o++];
    const sizes = d[o++];
    const results: TradeSizeResult[] = [];
    for (let k = 0; k < sizes; k++, o += PER_SIZE) {
      results.push({
        trade_size: d[o],
        ruined: d[o + 1] !== 0,
        aborted: d[o + 2] !== 0,
        over_max_bucket: d[o + 3],
        periods: { "30d": metricsAt(d, o + 4), "90d": metricsAt(d, o + 4 + METRICS), "1y": metricsAt(d, o + 4 + 2 * METRICS), all: metricsAt(d, o + 4 + 3 * METRICS) },
      });
    }
    const r: TaskResult = { id, study: p.studies[i], results, started, finished, worker };
    const error = p.errors[i];
    if (error !== undefined) r.error = error;
    out.push(r);
  }
  return out;
}

function putMetrics(d: Float64Array, o: number, m: Metrics): number {
  d[o] = m.final_balance;
  d[o + 1] = m.total_return;
  d[o + 2] = m.cagr;
  d[o + 3] = m.max_drawdown;
  d[o + 4] = m.sharpe;
  d[o + 5] = m.sortino;
  d[o + 6] = m.volatility;
  d[o + 7] = m.fees;
  d[o + 8] = m.swaps;
  d[o + 9] = m.trades;
  d[o + 10] = m.win_rate;
  d[o + 11] = m.profit_factor;
  d[o + 12] = m.exposure;
  d[o + 13] = m.profit_biased;
  d[o + 14] = m.cps_v2_profit_biased;
  d[o + 15] = m.mar;
  d[o + 16] = m.utility;
  d[o + 17] = m.cps;
  d[o + 18] = m.cps_v2;
  d[o + 19] = m.bars;
  d[o + 20] = m.start;
  return o + METRICS;
}

/** One literal in Account.metrics()'s key order. */
function metricsAt(d: Float64Array, o: number): Metrics {
  return {
    final_balance: d[o],
    total_return: d[o + 1],
    cagr: d[o + 2],
    max_drawdown: d[o + 3],
    sharpe: d[o + 4],
    sortino: d[o + 5],
    volatility: d[o + 6],
    fees: d[o + 7],
    swaps: d[o + 8],
    trades: d[o + 9],
    win_rate: d[o + 10],
    profit_factor: d[o + 11],
    exposure: d[o + 12],
    profit_biased: d[o + 13],
    cps_v2_profit_biased: d[o + 14],
    mar: d[o + 15],
    utility: d[o + 16],
    cps: d[o + 17],
    cps_v2: d[o + 18],
    bars: d[o + 19],
    start: d[o + 20],
  };
}
