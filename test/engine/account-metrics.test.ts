/**
 * Whole-run metrics (EVALUATOR-CONTRACT "Metrics", docs/evaluator.md for the definitions
 * the contract leaves to the project), each computed by hand in the test.
 */
import { describe, expect, it } from "vitest";
import { barsPerYear, MS_PER_YEAR } from "../../lib/data/bars";
import { CAGR_CAP, PROFIT_FACTOR_CAP, SORTINO_CAP } from "../../lib/engine/metrics";
import { costTable, DAY, expectClose, FREE, makeBars, MINUTE, runAccount } from "./fixtures";

/** Bars whose open equals close: a fill at open[j] trades at price p[j]. */
const flatBars = (p: number[], barMs = 5 * MINUTE) => makeBars(p, p, barMs);

describe("max_drawdown", () => {
  it("is the largest fall from the running peak of close equity", () => {
    const r = runAccount(makeBars([100, 100, 100, 100, 100, 100], [100, 120, 90, 150, 60, 200]), FREE, [1, 1, 1, 1, 1, 1], 1000);
    // Units 10 from bar 1: E = 1000, 1200, 900, 1500, 600, 2000.
    expect(Array.from(r.equity!)).toEqual([1000, 1200, 900, 1500, 600, 2000]);
    expectClose(r.metrics.max_drawdown, Math.max(1 - 900 / 1200, 1 - 600 / 1500)); // 0.6
  });

  it("starts from trade_size: a curve that only falls draws down to its last value", () => {
    const r = runAccount(makeBars([100, 100, 100, 100], [100, 90, 80, 70]), FREE, [1, 1, 1, 1], 1000);
    expectClose(r.metrics.max_drawdown, 1 - 700 / 1000);
    expectClose(r.metrics.total_return, 700 / 1000 - 1);
  });

  it("is 0 for a curve that never falls", () => {
    const r = runAccount(makeBars([100, 100, 100], [100, 110, 120]), FREE, [1, 1, 1], 1000);
    expect(r.metrics.max_drawdown).toBe(0);
  });
});

describe("fees, swaps, round trips, win_rate, profit_factor, exposure", () => {
  // Prices (open = close): buy at 100 / sell at 110 (+100), buy 110 / sell 100 (-100),
  // buy 90 / sell 120 (+333.33), buy 100 and still open at the end.
  const p = [100, 100, 110, 110, 100, 90, 120, 100, 130];
  const w = [1, 0, 1, 0, 1, 0, 1, 1, 1];

  it("counts completed round trips only, wins with pnl > 0, and gross win over gross loss", () => {
    const r = runAccount(flatBars(p), FREE, w, 1000);
    const e3 = 1100; // after the first round trip
    const e5 = (e3 / 110) * 100; // 1000
    const e6 = (e5 / 90) * 120;
    expect(r.round_trips!.map((t) => [t.entryBar, t.exitBar])).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const pnls = [e3 - 1000, e5 - e3, e6 - e5];
    r.round_trips!.forEach((t, i) => expectClose(t.pnl, pnls[i]));
    const m = r.metrics;
    expect(m.swaps).toBe(7);
    expect(m.fees).toBe(0);
    expect(m.trades).toBe(3);
    expect(m.win_rate).toBe(2 / 3);
    expectClose(m.profit_factor, (pnls[0] + pnls[2]) / -pnls[1]); // 4.333...
    // In the market (executed target > 0) during bars 1, 3, 5, 7, 8.
    expect(m.exposure).toBe(5 / 9);
    expectClose(m.final_balance, (e6 / 100) * 130);
  });

  it("caps profit_factor when no round trip lost, and is 0 with no wins or no trades", () => {
    const up = flatBars([100, 100, 110, 110, 120, 130]);
    const onlyWins = runAccount(up, FREE, [1, 0, 1, 0, 0, 0], 1000).metrics;
    expect([onlyWins.trades, onlyWins.win_rate, onlyWins.profit_factor]).toEqual([2, 1, PROFIT_FACTOR_CAP]);
    const down = flatBars([100, 100, 90, 90, 80, 70]);
    const onlyLosses = runAccount(down, FREE, [1, 0, 1, 0, 0, 0], 1000).metrics;
    expect([onlyLosses.trades, onlyLosses.win_rate, onlyLosses.profit_factor]).toEqual([2, 0, 0]);
    const none = runAccount(up, FREE, [0, 0, 0, 0, 0, 0], 1000).metrics;
    expect([none.trades, none.win_rate, none.profit_factor, none.swaps, none.exposure]).toEqual([0, 0, 0, 0, 0]);
    // A position still open at the end is not a round trip.
    const open = runAccount(up, FREE, [1, 1, 1, 1, 1, 1], 1000).metrics;
    expect([open.trades, open.profit_factor, open.exposure]).toEqual([0, 0, 5 / 6]);
  });

  it("counts a break-even round trip (pnl = 0) as a non-win with no gross loss", () => {
    const m = runAccount(flatBars([100, 100, 100, 110, 110, 120]), FREE, [1, 0, 1, 0, 0, 0], 1000).metrics;
    expect([m.trades, m.win_rate, m.profit_factor]).toEqual([2, 0.5, PROFIT_FACTOR_CAP]);
  });

  it("sums the cost of every swap into fees", () => {
    const table = costTable(0.25, [[1e9, 0.004]]);
    const r = runAccount(flatBars([100, 100, 105, 103, 99, 101]), table, [1, 0, 1, 0, 0, 0], 1000);
    let fees = 0;
    for (const f of r.fills!) fees += f.notional * 0.004 + 0.25;
    expect(r.fills).toHaveLength(4);
    expectClose(r.metrics.fees, fees);
  });
});

describe("cagr", () => {
  it("annualises E[last] / trade_size over t[last] - t[0] plus one bar", () => {
    // Daily bars: 10 bars span 10 days (9 gaps + the last bar itself).
    const p = [100, 100, 101, 102, 103, 104, 105, 106, 108, 110];
    const r = runAccount(flatBars(p, DAY), FREE, p.map(() => 1), 1000);
    const growth = 1.1; // units 10 bought at 100, worth 1100 at 110
    expectClose(r.metrics.total_return, growth - 1);
    expectClose(r.metrics.cagr, Math.pow(growth, 365 / 10) - 1);
  });

  it("on 5-minute bars uses the same rule (span = n bars of 5 minutes)", () => {
    const p = [100, 100, 100.0005, 100.001];
    const r = runAccount(flatBars(p), FREE, [1, 1, 1, 1], 1000);
    expectClose(r.metrics.cagr, Math.pow(1.00001, MS_PER_YEAR / (4 * 5 * MINUTE)) - 1, 1e-9);
  });

  it("is capped at CAGR_CAP where annualising a short window would overflow", () => {
    // 1 % in 20 minutes: 1.01^26280 - 1 is about 1e113, and 5 % would be Infinity.
    for (const last of [101, 105]) {
      const r = runAccount(flatBars([100, 100, 100.5, last]), FREE, [1, 1, 1, 1], 1000);
      expect(r.metrics.cagr).toBe(CAGR_CAP);
      expect(Number.isFinite(r.metrics.mar)).toBe(true);
    }
  });

  it("is -1 when the account is wiped out", () => {
    const zero = runAccount(makeBars([100, 100, 100], [100, 0, 0], DAY), FREE, [1, 1, 1], 1000);
    expect(zero.metrics.final_balance).toBe(0);
    expect(zero.metrics.cagr).toBe(-1);
  });
});

describe("sharpe, sortino, volatility", () => {
  const close = [100, 103, 101, 104, 99, 102];
  const open = [100, 100, 103, 101, 104, 99];
  const w = [1, 1, 1, 1, 1, 1];

  /** The definitions of docs/evaluator.md, from the equity curve. */
  function byHand(equity: number[], tradeSize: number, perYear: number) {
    const r = equity.map((e, k) => e / (k === 0 ? tradeSize : equity[k - 1]) - 1);
    const n = r.length;
    const mean = r.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)); // sample, n - 1
    const downside = Math.sqrt(r.reduce((a, b) => a + (b < 0 ? b * b : 0), 0) / n); // over all n bars
    return { sharpe: (mean / sd) * Math.sqrt(perYear), sortino: (mean / downside) * Math.sqrt(perYear), volatility: sd * Math.sqrt(perYear) };
  }

  it("annualise per-bar returns with 105,120 bars a year for 5-minute bars", () => {
    const bars = makeBars(open, close);
    expect(bars.barMs).toBe(5 * MINUTE);
    expect(barsPerYear(bars)).toBe(105_120);
    const r = runAccount(bars, FREE, w, 1000);
    // units 10 from bar 1 (open 100): E = 1000, 1030, 1010, 1040, 990, 1020.
    expect(Array.from(r.equity!)).toEqual([1000, 1030, 1010, 1040, 990, 1020]);
    const h = byHand([1000, 1030, 1010, 1040, 990, 1020], 1000, 105_120);
    expectClose(r.metrics.sharpe, h.sharpe);
    expectClose(r.metrics.sortino, h.sortino);
    expectClose(r.metrics.volatility, h.volatility);
  });

  it("use the bars' own spacing: hourly bars scale by sqrt(8760 / 105120)", () => {
    const five = runAccount(makeBars(open, close), FREE, w, 1000).metrics;
    const hourly = runAccount(makeBars(open, close, 60 * MINUTE), FREE, w, 1000).metrics;
    const k = Math.sqrt(8760 / 105_120);
    expectClose(hourly.sharpe, five.sharpe * k);
    expectClose(hourly.sortino, five.sortino * k);
    expectClose(hourly.volatility, five.volatility * k);
  });

  it("are 0 on a flat curve, and sortino takes its cap with gains and no losing bar", () => {
    const flat = runAccount(makeBars(open, close), FREE, [0, 0, 0, 0, 0, 0], 1000).metrics;
    expect([flat.sharpe, flat.sortino, flat.volatility]).toEqual([0, 0, 0]);
    const up = runAccount(makeBars([100, 100, 100, 100], [100, 101, 103, 104]), FREE, [1, 1, 1, 1], 1000).metrics;
    expect(up.sharpe).toBeGreaterThan(0);
    // Downside deviation 0 with a positive mean: the ratio is unbounded, so it is capped.
    expect(up.sortino).toBe(SORTINO_CAP);
  });
});
