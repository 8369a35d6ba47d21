/**
 * Evaluator speed, single-threaded, on the default 210,240-bar data: median ms per
 * evaluation (every metric, four periods), evaluations per second and bytes allocated
 * per evaluation, for every built-in strategy.
 *
 * Two cases: `repeat` evaluates the default parameters again and again (indicator series
 * memoised, the account loop dominates); `vary` draws fresh parameters every time, as a
 * search does (indicators recomputed whenever a length was not seen recently).
 */
import type { CostTable } from "../lib/costs/cost-table";
import type { Bars } from "../lib/data/bars";
import { Evaluator } from "../lib/engine/evaluate";
import { Rng } from "../lib/optimize/rng";
import { createSampler } from "../lib/optimize/samplers";
import { defaultParams } from "../lib/strategies/params";
import { getStrategy, strategyNames } from "../lib/strategies/registry";
import type { Params } from "../lib/strategies/types";

export interface EvaluatorFigures {
  strategy: string;
  case: "repeat" | "vary";
  median_ms: number;
  p90_ms: number;
  evals_per_s: number;
  bytes_per_eval: number;
}

const TRADE_SIZE = 10_000;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export function benchEvaluator(bars: Bars, costs: CostTable, reps = 60): EvaluatorFigures[] {
  const out: EvaluatorFigures[] = [];
  for (const name of strategyNames()) {
    const strategy = getStrategy(name);
    const sampler = createSampler("random");
    const varied: Params[] = sampler.propose({ strategy, history: [], firstId: 0, count: reps, rng: Rng.derive(7, name), totalTrials: reps });
    for (const kase of ["repeat", "vary"] as const) {
      const ev = new Evaluator(bars, costs);
      const paramsAt = (i: number) => (kase === "repeat" ? defaultParams(strategy) : varied[i % varied.length]);
      for (let i = 0; i < 10; i++) ev.evaluate(strategy, paramsAt(i), TRADE_SIZE); // warm up the JIT and buffers
      const times: number[] = [];
      for (let i = 0; i < reps; i++) {
        const p = paramsAt(i);
        const t0 = process.hrtime.bigint();
        ev.evaluate(strategy, p, TRADE_SIZE);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      // Bytes allocated per evaluation: heap growth over a burst too small to trigger a GC.
      const burst = 20;
      gc();
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < burst; i++) ev.evaluate(strategy, paramsAt(i), TRADE_SIZE);
      const bytes = Math.max(0, (process.memoryUsage().heapUsed - h0) / burst);
      const median = quantile(times, 0.5);
      out.push({ strategy: name, case: kase, median_ms: median, p90_ms: quantile(times, 0.9), evals_per_s: 1000 / median, bytes_per_eval: Math.round(bytes) });
    }
  }
  return out;
}
