/**
 * Every registered strategy, alone and with each overlay, at its defaults through the
 * Evaluator on 5,000 random-walk bars: finite metrics, w in [0, 1], zero during warm-up;
 * and a repeated evaluation on the same Evaluator (warm scratch, after other parameter sets
 * have churned the series cache) is identical to the first and to a fresh Evaluator's.
 */
import { describe, expect, test } from "vitest";
import { parseCostTable } from "../../lib/costs/cost-table";
import { Evaluator } from "../../lib/engine/evaluate";
import type { EvalResult } from "../../lib/engine/metrics";
import { defaultParams, satisfies, snap, validateParams } from "../../lib/strategies/params";
import { getStrategy, strategyNames } from "../../lib/strategies/registry";
import type { Params, Strategy } from "../../lib/strategies/types";
import { randomWalkBars, rng, TEST_PARAMS, TINY_MODEL } from "./fixtures";

const bars = randomWalkBars(5000, 424242);
const costs = parseCostTable({
  gas: 0.5,
  buckets: [
    { size: 1000, impact: 0.0005 },
    { size: 10000, impact: 0.0008 },
    { size: 100000, impact: 0.0025 },
  ],
});
const SIZES = [1000, 10000];

/** Bars at the start where w must be 0, from the definitions in docs/strategies.md. */
const WARM_UP: Record<string, (p: Params) => number> = {
  sma_cross: (p) => (p.slow as number) - 1,
  donchian_breakout: (p) => Math.max(p.entry as number, p.exit as number),
  rsi_reversion: (p) => p.period as number,
  ema_cross: (p) => (p.slow as number) - 1,
  bollinger_reversion: (p) => (p.period as number) - 1,
  macd: (p) => (p.slow as number) + (p.signal as number) - 2,
  supertrend: (p) => (p.period as number) + 1,
  keltner_breakout: (p) => p.period as number,
  ml_signal: () => 48,
};
const OVERLAY_WARM_UP: Record<string, (p: Params) => number> = {
  regime: (p) => (p.regime_len as number) - 1,
  volcap: (p) => p.volcap_len as number,
};
const SUFFIXES = ["", "+regime", "+volcap", "+regime+volcap"];

function warmUp(name: string, p: Params): number {
  const [base, ...overlays] = name.split("+");
  return Math.max(WARM_UP[base](p), ...overlays.map((o) => OVERLAY_WARM_UP[o](p)));
}

function expectFiniteMetrics(results: EvalResult[]): void {
  for (const r of results) {
    for (const [period, m] of Object.entries(r.periods)) {
      for (const [k, v] of Object.entries(m)) expect(Number.isFinite(v), `${period}.${k} = ${v}`).toBe(true);
    }
  }
}

/** Random valid parameters from a strategy's space (for churning the cache). */
function randomParams(s: Strategy, u: () => number): Params {
  for (;;) {
    const p: Params = {};
    for (const spec of s.params) {
      if (spec.type === "choice") p[spec.name] = spec.anyString ? TINY_MODEL : spec.choices[Math.floor(u() * spec.choices.length)];
      else {
        const x = spec.log ? Math.exp(Math.log(spec.low) + u() * (Math.log(spec.high) - Math.log(spec.low))) : spec.low + u() * (spec.high - spec.low);
        p[spec.name] = snap(spec, x);
      }
    }
    if (satisfies(s, p)) return p;
  }
}

test("the registry holds the contract strategies and at least four more", () => {
  expect(strategyNames()).toEqual(expect.arrayContaining(["sma_cross", "donchian_breakout", "rsi_reversion", "ema_cross", "bollinger_reversion", "macd", "supertrend", "keltner_breakout"]));
  expect(Object.keys(WARM_UP).sort()).toEqual(strategyNames().sort());
});

describe.each(strategyNames().flatMap((b) => SUFFIXES.map((s) => b + s)))("%s at its defaults", (name) => {
  const strategy = getStrategy(name);
  const p = { ...defaultParams(strategy), ...TEST_PARAMS[name.split("+")[0]!] };

  test("defaults are valid, w in [0, 1], 0 during warm-up, metrics finite", () => {
    expect(validateParams(strategy, p)).toEqual(p);
    const ev = new Evaluator(bars, costs);
    const w = ev.signals(strategy, p);
    const warm = warmUp(name, p);
    expect(warm).toBeLessThan(bars.length / 2);
    for (let i = 0; i < w.length; i++) {
      if (!(w[i] >= 0 && w[i] <= 1)) throw new Error(`w[${i}] = ${w[i]}`);
      if (i < warm && w[i] !== 0) throw new Error(`w[${i}] = ${w[i]} during warm-up (< ${warm})`);
    }
    if (!name.includes("+")) expect(w.some((v) => v > 0), "the base strategy enters at least once").toBe(true);
    expectFiniteMetrics(ev.evaluate(strategy, p, SIZES));
  });

  test("it writes every bar (fillsEveryBar): a buffer left full of NaN gives the same targets", () => {
    // The evaluator does not zero w for these strategies; a bar the signal skipped would
    // keep the NaN (or a previous evaluation's target).
    expect(strategy.fillsEveryBar).toBe(true);
    const ev = new Evaluator(bars, costs);
    const clean = Array.from(ev.signals(strategy, p));
    ev.signals(strategy, p).fill(NaN);
    expect(Array.from(ev.signals(strategy, p))).toEqual(clean);
  });

  test("a repeated evaluation is identical, warm or cold, after other parameter sets", () => {
    const ev = new Evaluator(bars, costs);
    const w1 = Array.from(ev.signals(strategy, p));
    const first = ev.evaluate(strategy, p, SIZES);
    // Churn: other strategies and random parameter sets, more series than the cache holds.
    const u = rng(name.length * 7919);
    // Each series is keyed by what determines it: a warm result for other parameters equals
    // a cold one.
    for (let k = 0; k < 24; k++) {
      const other = getStrategy(strategyNames()[k % strategyNames().length] + SUFFIXES[k % SUFFIXES.length]);
      ev.evaluate(other, randomParams(other, u), 1000);
      const q = randomParams(strategy, u);
      const warm = ev.evaluate(strategy, q, 1000);
      if (k % 3 === 0) expect(warm, JSON.stringify(q)).toEqual(new Evaluator(bars, costs).evaluate(strategy, q, 1000));
    }
    expect(Array.from(ev.signals(strategy, p))).toEqual(w1);
    expect(ev.evaluate(strategy, p, SIZES)).toEqual(first);
    // And cold: a fresh Evaluator, and the same one after clearing its cache.
    expect(new Evaluator(bars, costs).evaluate(strategy, p, SIZES)).toEqual(first);
    ev.scratch.clear();
    expect(ev.evaluate(strategy, p, SIZES)).toEqual(first);
  });
});
