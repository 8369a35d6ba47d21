/**
 * The fast kernel (lib/engine/account.ts) against the naive reference (reference.ts) on
 * thousands of random-walk bars, random exposure paths (0/1 and fractional), several cost
 * tables and trade sizes, including sizes that ruin and sizes above the largest bucket:
 * every metric and objective of every period must agree to 1e-9 (relative, absolute
 * below 1). Observed worst cases: sharpe / sortino / volatility ~3e-10, fees ~1e-11
 * (run-long sums minus a snapshot versus sums from scratch), everything else exact or
 * ~1e-13. The one exemption (sharpe / sortino on dust-flat periods) is explained at
 * `compare`. Of the 192 runs, 73 ruin and 21 (fractional targets) mark equity below
 * zero, which both implement alike (see contract-gaps.test.ts).
 */
import { describe, expect, it } from "vitest";
import { costTableToJson, type CostTable } from "../../lib/costs/cost-table";
import type { Bars } from "../../lib/data/bars";
import { Evaluator } from "../../lib/engine/evaluate";
import { METRIC_KEYS, OBJECTIVE_KEYS } from "../../lib/engine/metrics";
import { PERIOD_KEYS } from "../../lib/engine/periods";
import { costTable, DAY, expectClose, FREE, MINUTE, randomExposures, randomWalkBars, type ExposureKind } from "./fixtures";
import { referenceAccount } from "./reference";

const TOL = 1e-9;

const COSTS: Record<string, CostTable> = {
  free: FREE,
  dex: costTable(1.5, [
    [100, 0.00052],
    [1000, 0.00055],
    [5000, 0.00065],
    [10000, 0.0008],
    [25000, 0.0011],
    [50000, 0.0016],
    [100000, 0.0025],
    [250000, 0.005],
    [500000, 0.009],
    [1000000, 0.016],
  ]),
  // Small largest bucket: most swaps are above it (over_max_bucket).
  small: costTable(0.1, [
    [50, 0.001],
    [500, 0.004],
  ]),
  // Expensive: 5 per swap and 2-5 % impact ruins small accounts.
  harsh: costTable(5, [
    [200, 0.02],
    [2000, 0.05],
  ]),
};

const BAR_SETS: { name: string; barMs: number; n: number; seed: number; vol: number; drift: number }[] = [
  // ~69 days of 5-minute bars: 30d inside, 90d and 1y are the whole run.
  { name: "5m", barMs: 5 * MINUTE, n: 20_000, seed: 11, vol: 0.002, drift: 0 },
  // ~208 days of hourly bars: 30d and 90d inside, 1y is the whole run.
  { name: "1h", barMs: 60 * MINUTE, n: 5_000, seed: 12, vol: 0.006, drift: 0.0001 },
  // ~8 years of daily bars: every period inside.
  { name: "1d", barMs: DAY, n: 3_000, seed: 13, vol: 0.03, drift: -0.0002 },
];

const KINDS: ExposureKind[] = ["binary", "levels", "continuous", "rare"];
const SIZES = [10, 1_000, 100_000, 5e7];

/**
 * Below this largest |per-bar return| a period is flat up to rounding dust (dust units
 * times a price, over an equity that costs or a ruin may have shrunk 1e4-fold).
 */
const DUST = 1e-9;
/** sharpe and sortino are ratios of rounding noise on a dust-flat period (see below). */
const NOISE_RATIOS = new Set<string>(["sharpe", "sortino"]);

/**
 * Where the two may differ, and why: on a period whose equity is flat up to rounding
 * dust (out of the market, with ~1e-17 units left by `units -= N / open`, which is 0 in
 * exact arithmetic), per-bar returns are +-1 ulp and sharpe / sortino are noise / noise.
 * The reference's two-pass sums see the noise (e.g. sharpe 7.2); the kernel's
 * run-long sums minus a snapshot absorb it (sharpe 0). On such periods only the
 * volatility is compared (both must call the curve flat); every other metric still
 * agrees to TOL.
 */
function compare(bars: Bars, costs: CostTable, w: number[], size: number, label: string): { ruined: boolean; overMax: number; dustPeriods: number } {
  const got = new Evaluator(bars, costs).account(Float64Array.from(w), size);
  const ref = referenceAccount(bars, w, costTableToJson(costs), size, bars.barMs);
  expect(got.ruined, `${label} ruined`).toBe(ref.ruined);
  expect(got.over_max_bucket, `${label} over_max_bucket`).toBe(ref.over_max_bucket);
  expect(got.bars_evaluated).toBe(bars.length);
  let dustPeriods = 0;
  for (const p of PERIOD_KEYS) {
    const a = got.periods[p];
    const b = ref.periods[p];
    expect(a.bars, `${label} ${p} bars`).toBe(b.bars);
    expect(a.start, `${label} ${p} start`).toBe(b.start);
    const dust = ref.maxAbsReturn[p] > 0 && ref.maxAbsReturn[p] < DUST;
    if (dust) dustPeriods++;
    for (const k of [...METRIC_KEYS, ...OBJECTIVE_KEYS]) {
      if (dust && NOISE_RATIOS.has(k)) continue;
      expectClose(a[k], b[k], TOL, `${label} ${p} ${k}`);
    }
  }
  return { ruined: ref.ruined, overMax: ref.over_max_bucket, dustPeriods };
}

describe("fast kernel agrees with the naive reference", () => {
  for (const set of BAR_SETS) {
    it(`${set.n} ${set.name} bars, every exposure kind, cost table and trade size`, () => {
      const bars = randomWalkBars(set.n, set.barMs, set.seed, set.vol, set.drift);
      expect(bars.barMs).toBe(set.barMs);
      let ruinedRuns = 0;
      let overMaxRuns = 0;
      let dustPeriods = 0;
      let periods = 0;
      let seed = set.seed * 1000;
      for (const kind of KINDS) {
        const w = randomExposures(set.n, kind, seed++);
        for (const [name, costs] of Object.entries(COSTS)) {
          for (const size of SIZES) {
            const r = compare(bars, costs, w, size, `${set.name}/${kind}/${name}/${size}`);
            if (r.ruined) ruinedRuns++;
            if (r.overMax > 0) overMaxRuns++;
            dustPeriods += r.dustPeriods;
            periods += PERIOD_KEYS.length;
          }
        }
      }
      // The grid must exercise ruin and the over-the-largest-bucket path, or it proves less than it claims.
      expect(ruinedRuns).toBeGreaterThan(0);
      expect(overMaxRuns).toBeGreaterThan(0);
      // The sharpe / sortino exemption for dust-flat periods stays an exception.
      expect(dustPeriods).toBeLessThan(0.1 * periods);
    });
  }

  it("a run ruined at its very first swap and a run that never trades", () => {
    const bars = randomWalkBars(500, DAY, 5);
    const w = randomExposures(500, "binary", 6);
    compare(bars, costTable(20, [[1000, 0.01]]), w, 20, "first swap ruins");
    compare(bars, COSTS.dex, new Array<number>(500).fill(0), 1000, "never trades");
    compare(bars, COSTS.dex, new Array<number>(500).fill(1), 1000, "buy and hold");
  });
});
