/**
 * The event-driven account path against the per-bar kernel (docs/evaluator.md,
 * "Event-driven account"): every metric and objective of every period to 1e-9 (relative,
 * absolute below 1), and exactly on counts and flags (swaps, trades, win rate, fees,
 * final balance, max drawdown, ruined, over-max, aborted, bars evaluated) - cash and
 * units change only at swaps, which both paths make with the same code. Thousands of random parameter sets
 * of every strategy and overlay on small random walks, both trade-size regimes (tiny
 * sizes that ruin, huge ones above the largest bucket), early aborts; random exposure
 * paths (fractional ones take the per-bar fallback between swaps); a few full-size cases
 * on the bundled data and on the real data sets (skipped when ../shared/data is absent).
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCostTable } from "../../lib/costs/load";
import type { CostTable } from "../../lib/costs/cost-table";
import type { Bars } from "../../lib/data/bars";
import { loadBars } from "../../lib/data/csv";
import { ensureDefaultData } from "../../lib/data/generate";
import { Evaluator, EVENT_PATH_MIN_BARS_PER_SWAP, swapBars, type EvaluateOptions } from "../../lib/engine/evaluate";
import { evaluate } from "../../lib/lab/evaluate";
import { METRIC_KEYS, OBJECTIVE_KEYS, type EvalResult } from "../../lib/engine/metrics";
import { PERIOD_KEYS } from "../../lib/engine/periods";
import { RandomSampler } from "../../lib/optimize/samplers";
import { DEFAULT_COSTS, DEFAULT_DATA } from "../../lib/paths";
import { Rng } from "../../lib/random/rng";
import { getStrategy, overlayNames, strategyNames } from "../../lib/strategies/registry";
import { TEST_PARAMS } from "../strategies/fixtures";
import { Scratch } from "../../lib/strategies/scratch";
import type { Params, Strategy } from "../../lib/strategies/types";
import { BINANCE_CSV, BITMEX_CSV } from "../data/helpers";
import { costTable, DAY, expectClose, MINUTE, randomExposures, randomWalkBars, type ExposureKind } from "./fixtures";

const TOL = 1e-9;
/**
 * Compared exactly: cash and units are the same numbers on both paths, and the drawdown
 * is evaluated on the same pair of bars with the same arithmetic (it could differ only
 * where two pairs tie within an ulp; none does here).
 */
const EXACT = new Set(["final_balance", "max_drawdown", "total_return", "fees", "swaps", "trades", "win_rate", "profit_factor", "exposure", "bars", "start"]);

const COSTS: Record<string, CostTable> = {
  dex: costTable(1.5, [
    [100, 0.00052],
    [1000, 0.00055],
    [10000, 0.0008],
    [100000, 0.0025],
    [1000000, 0.016],
  ]),
  harsh: costTable(5, [
    [200, 0.02],
    [2000, 0.05],
  ]),
};
/** 10 and 50 ruin under both tables; 5e7 is above every largest bucket. */
const SIZES = [10, 50, 10_000, 5e7];

function compare(per: EvalResult, ev: EvalResult, label: string): void {
  expect(ev.ruined, `${label}: ruined`).toBe(per.ruined);
  expect(ev.over_max_bucket, `${label}: over_max_bucket`).toBe(per.over_max_bucket);
  expect(ev.aborted, `${label}: aborted`).toBe(per.aborted);
  expect(ev.bars_evaluated, `${label}: bars_evaluated`).toBe(per.bars_evaluated);
  for (const p of PERIOD_KEYS) {
    const a = per.periods[p];
    const b = ev.periods[p];
    for (const k of [...METRIC_KEYS, ...OBJECTIVE_KEYS, "bars", "start"] as const) {
      if (EXACT.has(k)) expect(b[k], `${label} ${p}.${k}`).toBe(a[k]);
      else expectClose(b[k], a[k], TOL, `${label} ${p}.${k}`);
    }
  }
}

function bothPaths(ev: Evaluator, s: Strategy, p: Params, opts: EvaluateOptions = {}): { per: EvalResult[]; events: EvalResult[] } {
  return { per: ev.evaluate(s, p, SIZES, { ...opts, path: "per-bar" }), events: ev.evaluate(s, p, SIZES, { ...opts, path: "events" }) };
}

/** Every base strategy alone and with each overlay. */
const STRATEGIES = strategyNames().flatMap((b) => [b, ...overlayNames().map((o) => `${b}+${o}`)]);

/** Random parameter sets; ml_signal trades the committed test model, not models/default (absent in a fresh clone). */
function paramSets(s: Strategy, count: number, seed: number): Params[] {
  const sets = new RandomSampler().propose({ strategy: s, history: [], firstId: 0, count, rng: Rng.derive(seed, "event-path", s.name), totalTrials: count });
  return s.params.some((p) => p.name === "model") ? sets.map((p) => ({ ...p, ...TEST_PARAMS.ml_signal })) : sets;
}

describe("event-driven account = per-bar account", () => {
  // 6,000 bars of 5 minutes (~21 days) and 3,000 hourly (~125 days: 30d and 90d inside).
  const barSets: [string, Bars][] = [
    ["5m", randomWalkBars(6_000, 5 * MINUTE, 21, 0.003)],
    ["1h", randomWalkBars(3_000, 60 * MINUTE, 22, 0.008, 0.0002)],
  ];

  it("on random parameter sets of every strategy and overlay, both cost tables, every trade size", () => {
    let sets = 0;
    let ruined = 0;
    let eventRuns = 0;
    for (const [bname, bars] of barSets) {
      for (const [cname, costs] of Object.entries(COSTS)) {
        const ev = new Evaluator(bars, costs);
        for (const name of STRATEGIES) {
          const s = getStrategy(name);
          // volcap varies continuously: fewer sets (every bar is an event there).
          for (const p of paramSets(s, name.endsWith("+volcap") ? 8 : 40, bname.length + cname.length)) {
            const { per, events } = bothPaths(ev, s, p);
            per.forEach((r, i) => compare(r, events[i], `${bname} ${cname} ${name} ${JSON.stringify(p)} size ${SIZES[i]}`));
            sets++;
            ruined += per.filter((r) => r.ruined).length;
            eventRuns += per[0].metrics.swaps > 0 ? 1 : 0;
          }
        }
      }
    }
    expect(sets).toBeGreaterThan(2_000);
    // Both regimes are exercised: ruins, and runs that trade.
    expect(ruined).toBeGreaterThan(500);
    expect(eventRuns).toBeGreaterThan(500);
  });

  it("with early aborts", () => {
    const [, bars] = barSets[0];
    const ev = new Evaluator(bars, COSTS.dex);
    let aborted = 0;
    for (const name of ["sma_cross", "donchian_breakout", "rsi_reversion", "supertrend"]) {
      const s = getStrategy(name);
      for (const [i, p] of paramSets(s, 60, 5).entries()) {
        const abortDrawdown = [0.005, 0.01, 0.02, 0.05][i % 4];
        const { per, events } = bothPaths(ev, s, p, { abortDrawdown });
        per.forEach((r, k) => compare(r, events[k], `${name} ${JSON.stringify(p)} abort ${abortDrawdown} size ${SIZES[k]}`));
        aborted += per.filter((r) => r.aborted).length;
      }
    }
    expect(aborted).toBeGreaterThan(50);
  });

  it("on random exposure paths, fractional ones included (per-bar fallback between swaps)", () => {
    const bars = randomWalkBars(3_000, DAY, 23, 0.03, -0.0002); // ~8 years: every period inside
    const kinds: ExposureKind[] = ["binary", "levels", "continuous", "rare"];
    for (const [cname, costs] of Object.entries(COSTS)) {
      const ev = new Evaluator(bars, costs);
      for (const kind of kinds) {
        for (let seed = 1; seed <= 10; seed++) {
          const w = Float64Array.from(randomExposures(bars.length, kind, seed));
          for (const size of SIZES) {
            compare(ev.account(w, size, { path: "per-bar" }), ev.account(w, size, { path: "events" }), `${cname} ${kind} seed ${seed} size ${size}`);
          }
        }
      }
    }
  });

  it("a strategy's own swap list (sma_cross) equals the scan of its targets; overlays drop it", () => {
    const [, bars] = barSets[0];
    const n = bars.length;
    for (const name of ["sma_cross", "sma_cross+regime"]) {
      const s = getStrategy(name);
      for (const p of paramSets(s, 50, 4)) {
        const w = new Float64Array(n);
        const swaps = { bars: new Int32Array(n), targets: new Float64Array(n), count: -1 };
        s.signal({ bars, scratch: new Scratch(), swaps }, p, w);
        const scanned = new Int32Array(n);
        const count = swapBars(w, scanned);
        // The auto path's scan stops once the count decides it.
        expect(swapBars(w, new Int32Array(n), 3)).toBe(Math.min(count, 4));
        if (name === "sma_cross") {
          expect(swaps.count).toBe(count);
          expect(Array.from(swaps.bars.subarray(0, count))).toEqual(Array.from(scanned.subarray(0, count)));
        } else {
          expect(swaps.count).toBe(-1);
        }
      }
    }
  });

  it("the evaluate verb takes the path as an option and rejects an unknown one in one line", () => {
    const [, bars] = barSets[0];
    const events = evaluate(bars, COSTS.dex, { strategy: "sma_cross", path: "events" });
    const perBar = evaluate(bars, COSTS.dex, { strategy: "sma_cross", path: "per-bar" });
    compare(perBar[0], events[0], "lab evaluate");
    expect(() => evaluate(bars, COSTS.dex, { strategy: "sma_cross", path: "fast" as never })).toThrow(/^account path "fast" is not one of auto, per-bar, events$/);
  });

  it("auto takes the event path for 0/1 strategies and per-bar for +volcap, with identical results", () => {
    const [, bars] = barSets[0];
    const ev = new Evaluator(bars, COSTS.dex);
    for (const name of ["sma_cross", "sma_cross+volcap"]) {
      const s = getStrategy(name);
      for (const p of paramSets(s, 10, 9)) {
        const auto = ev.evaluate(s, p, SIZES);
        const per = ev.evaluate(s, p, SIZES, { path: "per-bar" });
        const events = ev.evaluate(s, p, SIZES, { path: "events" });
        auto.forEach((r, i) => compare(per[i], r, `${name} auto`));
        auto.forEach((r, i) => compare(events[i], r, `${name} auto vs events`));
      }
    }
  });
});

describe("lazy signal (one trade size: sma_cross computes its targets only as far as the account needs)", () => {
  const sets: [string, Bars][] = [
    ["5m", randomWalkBars(6_000, 5 * MINUTE, 21, 0.003)],
    ["1h", randomWalkBars(3_000, 60 * MINUTE, 22, 0.008, 0.0002)],
  ];
  const s = getStrategy("sma_cross");

  it("swapRange in stretches of any length = signal: the same swap list, targets = w, no w written", () => {
    const [, bars] = sets[0];
    const ev = new Evaluator(bars, COSTS.dex);
    const u = Rng.derive(5, "stretches");
    for (const p of paramSets(s, 20, 13)) {
      const w = ev.signals(s, p);
      const swaps = Array.from(ev["events"].subarray(0, ev["swapList"].count));
      const list = { bars: new Int32Array(bars.length), targets: new Float64Array(bars.length).fill(NaN), count: 0 };
      const ctx = { bars, scratch: new Scratch(), swaps: list };
      for (let from = 0; from < bars.length; ) {
        const to = Math.min(bars.length, from + 1 + Math.floor(u.next() * 700));
        s.swapRange!(ctx, p, from, to);
        from = to;
      }
      expect(swaps.length, JSON.stringify(p)).toBeGreaterThan(0);
      expect(Array.from(list.bars.subarray(0, list.count)), JSON.stringify(p)).toEqual(swaps);
      expect(Array.from(list.targets.subarray(0, list.count)), JSON.stringify(p)).toEqual(swaps.map((j) => w[j - 1]));
    }
  });

  it("auto and events on one trade size at a time = per-bar, ruin included", () => {
    let ruined = 0;
    for (const [bname, bars] of sets) {
      for (const [cname, costs] of Object.entries(COSTS)) {
        const ev = new Evaluator(bars, costs);
        for (const p of paramSets(s, 40, 17)) {
          for (const size of SIZES) {
            // The lazy path writes w only where the account reads it: the buffer is
            // poisoned first, so a target it failed to write (the per-bar call just left
            // the right ones there) shows.
            const poisoned = (opts: EvaluateOptions = {}) => {
              ev["w"].fill(NaN);
              return ev.evaluate(s, p, size, opts)[0]!;
            };
            const per = ev.evaluate(s, p, size, { path: "per-bar" })[0]!;
            compare(per, poisoned(), `${bname} ${cname} auto ${JSON.stringify(p)} size ${size}`);
            compare(per, poisoned({ path: "events" }), `${bname} ${cname} events (lazy) ${JSON.stringify(p)} size ${size}`);
            compare(per, ev.evaluate(s, p, [size], { path: "events" })[0]!, `${bname} ${cname} events ${JSON.stringify(p)} size ${size}`);
            const abort = { abortDrawdown: 0.05 };
            compare(ev.evaluate(s, p, size, { ...abort, path: "per-bar" })[0]!, poisoned(abort), `${bname} ${cname} abort ${JSON.stringify(p)} size ${size}`);
            if (per.ruined) ruined++;
          }
        }
      }
    }
    expect(ruined, "some runs ruin (the lazy signal stops there)").toBeGreaterThan(50);
  });

  it("on the bundled 210,240 bars, real costs, one trade size at a time", () => {
    ensureDefaultData(DEFAULT_DATA);
    const bars = loadBars(DEFAULT_DATA);
    const ev = new Evaluator(bars, loadCostTable(DEFAULT_COSTS));
    for (const p of [...paramSets(s, 4, 23), { fast: 96, slow: 576 }, { fast: 5, slow: 9 }]) {
      for (const size of [100, 10_000, 1e6]) compare(ev.evaluate(s, p, size, { path: "per-bar" })[0]!, ev.evaluate(s, p, size)[0]!, `bundled ${JSON.stringify(p)} size ${size}`);
    }
  });
});

describe("auto on a dense swap list", () => {
  it("starts on the event path and hands over to the per-bar kernel after a quarter of the bars, same results", () => {
    const bars = randomWalkBars(3_000, 60 * MINUTE, 22, 0.008, 0.0002);
    const s = getStrategy("sma_cross");
    const free = costTable(0, [[1e12, 0]]);
    for (const [cname, costs] of [["free", free], ["dex", COSTS.dex]] as const) {
      const ev = new Evaluator(bars, costs);
      for (const p of [{ fast: 2, slow: 3 }, { fast: 2, slow: 5 }, { fast: 3, slow: 7 }]) {
        const auto = ev.evaluate(s, p, SIZES);
        // Dense: more than one listed swap per EVENT_PATH_MIN_BARS_PER_SWAP bars, so auto
        // takes the hand-over branch (not the plain event path).
        expect(ev.signals(s, p) && ev["swapList"].count * EVENT_PATH_MIN_BARS_PER_SWAP, `${cname} ${JSON.stringify(p)} dense`).toBeGreaterThan(bars.length);
        const per = ev.evaluate(s, p, SIZES, { path: "per-bar" });
        auto.forEach((r, i) => compare(per[i], r, `${cname} ${JSON.stringify(p)} size ${SIZES[i]}`));
        if (cname === "free") expect(auto.every((r) => !r.ruined), "no ruin without costs: the hand-over really runs").toBe(true);
      }
    }
  });
});

/** Full-size data: a few parameter sets per strategy (the per-bar path is the slow part). */
function fullSize(label: string, path: string, perStrategy: number): void {
  it(`${label}: every strategy, ${perStrategy} parameter sets each`, () => {
    const bars = loadBars(path);
    const ev = new Evaluator(bars, loadCostTable(DEFAULT_COSTS));
    for (const name of strategyNames().concat(["sma_cross+regime"])) {
      const s = getStrategy(name);
      for (const p of paramSets(s, perStrategy, 3)) {
        const { per, events } = bothPaths(ev, s, p);
        per.forEach((r, i) => compare(r, events[i], `${label} ${name} ${JSON.stringify(p)} size ${SIZES[i]}`));
      }
    }
  });
}

describe("event-driven account = per-bar account on full-size data", () => {
  ensureDefaultData(DEFAULT_DATA);
  fullSize("bundled default_5m.csv", DEFAULT_DATA, 2);
  describe.skipIf(!existsSync(BINANCE_CSV))("real data", () => fullSize("Binance BTC/USDT 5m", BINANCE_CSV, 2));
  describe.skipIf(!existsSync(BITMEX_CSV))("real data", () => fullSize("BitMEX XBTUSD 5m", BITMEX_CSV, 1));
});
