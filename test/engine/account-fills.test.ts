/**
 * Fills, costs and ruin of the account loop, each expected number computed in the test
 * by the formulas of EVALUATOR-CONTRACT ("Decisions and fills", "Account", "Cost table"),
 * step by step.
 */
import { describe, expect, it } from "vitest";
import { costTable, expectClose, FREE, makeBars, runAccount } from "./fixtures";

describe("a decision fills at the next bar's open", () => {
  it("buys at open[i+1], not at the deciding bar's close or open", () => {
    const bars = makeBars([100, 110, 120, 130], [105, 115, 125, 135]);
    const r = runAccount(bars, FREE, [1, 1, 1, 1], 1000);
    expect(r.fills).toHaveLength(1);
    const f = r.fills![0];
    expect([f.bar, f.side, f.price, f.notional, f.cost, f.equity, f.target]).toEqual([1, "buy", 110, 1000, 0, 1000, 1]);
    const units = 1000 / 110; // (N - cost) / open[1]
    // Bar 0 is still all cash: E[0] = trade_size.
    expect(Array.from(r.equity!)).toEqual([1000, units * 115, units * 125, units * 135]);
  });

  it("never executes the last bar's decision", () => {
    const bars = makeBars([100, 100, 100, 100], [100, 101, 102, 103]);
    const onlyLast = runAccount(bars, FREE, [0, 0, 0, 1], 1000);
    expect(onlyLast.fills).toEqual([]);
    expect(onlyLast.metrics.swaps).toBe(0);
    expect(Array.from(onlyLast.equity!)).toEqual([1000, 1000, 1000, 1000]);
    const exitAtLast = runAccount(bars, FREE, [1, 1, 1, 0], 1000);
    expect(exitAtLast.fills!.map((f) => f.side)).toEqual(["buy"]);
    expect(exitAtLast.metrics.trades).toBe(0); // the exit never filled: no completed round trip
    expect(exitAtLast.metrics.final_balance).toBe(10 * 103);
  });

  it("swaps exactly when w[i] != w[i-1], with w[-1] = 0", () => {
    const bars = makeBars([10, 11, 12, 13, 14, 15, 16], [10, 11, 12, 13, 14, 15, 16]);
    const r = runAccount(bars, FREE, [1, 1, 0, 0, 1, 1, 1], 1000);
    expect(r.fills!.map((f) => [f.bar, f.side, f.price])).toEqual([
      [1, "buy", 11],
      [3, "sell", 13],
      [5, "buy", 15],
    ]);
    const skipsBar0 = runAccount(bars, FREE, [0, 1, 1, 1, 1, 1, 1], 1000);
    expect(skipsBar0.fills!.map((f) => f.bar)).toEqual([2]);
  });
});

describe("cost buckets round up", () => {
  // impact 1 % up to 100, 2 % up to 1000, 3 % up to 5000 (the largest), gas 0.5.
  const table = costTable(0.5, [
    [100, 0.01],
    [1000, 0.02],
    [5000, 0.03],
  ]);
  const bars = makeBars([100, 100, 100], [100, 100, 100]);
  // A first buy of the whole account: N = |1 - 0| * E_open[1] = trade_size.
  const firstBuy = (tradeSize: number) => runAccount(bars, table, [1, 1, 1], tradeSize);
  const cases: [number, number, number][] = [
    // [N, impact used, over_max_bucket]
    [50, 0.01, 0],
    [100, 0.01, 0], // exactly a bucket size: that bucket
    [100.01, 0.02, 0], // just above: the next one
    [1000, 0.02, 0],
    [1000.5, 0.03, 0],
    [5000, 0.03, 0], // exactly the largest: not flagged
    [6000, 0.03, 1], // above the largest: the largest's impact, flagged
  ];
  for (const [n, impact, over] of cases) {
    it(`N = ${n} pays impact ${impact}${over ? ", flagged above the largest bucket" : ""}`, () => {
      const r = firstBuy(n);
      const cost = n * impact + 0.5;
      expect(r.fills![0].notional).toBe(n);
      expect(r.fills![0].cost).toBe(cost);
      expect(r.metrics.fees).toBe(cost);
      expect(r.over_max_bucket).toBe(over);
      expect(r.equity![1]).toBe(((n - cost) / 100) * 100);
    });
  }

  it("counts every swap above the largest bucket", () => {
    const r = runAccount(bars, table, [1, 0, 0], 6000);
    const sellN = ((6000 - (6000 * 0.03 + 0.5)) / 100) * 100; // units * open[2]
    expect(sellN).toBeGreaterThan(5000);
    expect(r.fills!.map((f) => f.notional)).toEqual([6000, sellN]);
    expect(r.over_max_bucket).toBe(2);
  });
});

describe("buy and sell arithmetic", () => {
  it("pays gas on every swap", () => {
    const gasOnly = costTable(2, [[1e9, 0]]);
    const bars = makeBars([100, 100, 100, 100, 100], [100, 100, 100, 100, 100]);
    const r = runAccount(bars, gasOnly, [1, 0, 1, 0, 0], 1000);
    expect(r.fills!.map((f) => f.cost)).toEqual([2, 2, 2, 2]);
    expect(r.metrics.fees).toBe(8);
    expect(r.metrics.swaps).toBe(4);
    expect(r.metrics.final_balance).toBe(992);
  });

  it("follows cash -= N, units += (N - cost)/open on a buy and units -= N/open, cash += N - cost on a sell", () => {
    // gas 2; 0.1 % up to 500, 0.3 % up to 2000.
    const table = costTable(2, [
      [500, 0.001],
      [2000, 0.003],
    ]);
    const open = [100, 100, 120, 90, 90];
    const close = [100, 110, 125, 95, 80];
    const r = runAccount(makeBars(open, close), table, [1, 1, 0, 0, 0], 1000);

    // Bar 1, buy (w[0] = 1 after w[-1] = 0).
    let cash = 1000;
    let units = 0;
    const eOpen1 = cash + units * open[1]; // 1000
    const n1 = Math.abs(1 - 0) * eOpen1; // 1000 -> bucket 2000 (round up past 500)
    const cost1 = n1 * 0.003 + 2; // 5
    cash -= n1;
    units += (n1 - cost1) / open[1]; // 9.95
    const e1 = cash + units * close[1];
    const e2 = cash + units * close[2];
    // Bar 3, sell (w[2] = 0 after w[1] = 1).
    const eOpen3 = cash + units * open[3]; // 895.5
    const n3 = Math.abs(0 - 1) * eOpen3;
    const cost3 = n3 * 0.003 + 2; // 895.5 -> bucket 2000
    units -= n3 / open[3];
    cash += n3 - cost3;
    const e3 = cash + units * close[3];
    const e4 = cash + units * close[4];

    expect(r.fills!.map((f) => [f.bar, f.side, f.notional, f.cost, f.equity])).toEqual([
      [1, "buy", n1, cost1, eOpen1],
      [3, "sell", n3, cost3, eOpen3],
    ]);
    expectClose(cost1, 5);
    expectClose(eOpen3, 895.5);
    const eq = Array.from(r.equity!);
    [1000, e1, e2, e3, e4].forEach((e, k) => expectClose(eq[k], e, 1e-12, `E[${k}]`));
    expectClose(r.metrics.fees, cost1 + cost3);
    // The round trip: equity before the entry swap to equity right after the exit swap.
    const pnl = cash + units * open[3] - eOpen1;
    expect(r.round_trips).toHaveLength(1);
    expectClose(r.round_trips![0].pnl, pnl);
    expectClose(pnl, 890.8135 - 1000, 1e-9);
    expect(r.metrics.trades).toBe(1);
    expect(r.metrics.win_rate).toBe(0);
    expect(r.metrics.profit_factor).toBe(0);
  });

  it("trades the change of target on fractional steps 0 -> 0.5 -> 1 -> 0.25 -> 0", () => {
    // gas 1, impact 1 % on every size.
    const table = costTable(1, [[1e6, 0.01]]);
    const open = [100, 100, 200, 50, 100, 100];
    const close = [100, 150, 100, 80, 100, 120];
    const w = [0.5, 1, 0.25, 0, 0, 0];
    const r = runAccount(makeBars(open, close), table, w, 1000);

    let cash = 1000;
    let units = 0;
    const expected: { bar: number; side: string; notional: number; cost: number; equity: number }[] = [];
    const equity: number[] = [cash + units * close[0]];
    for (let j = 1; j < open.length; j++) {
      const target = w[j - 1];
      const prev = j >= 2 ? w[j - 2] : 0;
      if (target !== prev) {
        const eOpen = cash + units * open[j];
        const n = Math.abs(target - prev) * eOpen;
        const cost = n * 0.01 + 1;
        if (target > prev) {
          cash -= n;
          units += (n - cost) / open[j];
        } else {
          units -= n / open[j];
          cash += n - cost;
        }
        expected.push({ bar: j, side: target > prev ? "buy" : "sell", notional: n, cost, equity: eOpen });
      }
      equity.push(cash + units * close[j]);
    }
    // The hand numbers of the first two swaps: 500 at 100 (cost 6), then half of
    // E_open[2] = 500 + 4.94 * 200 = 1488, i.e. 744 (cost 8.44), which borrows: cash -244.
    expectClose(expected[0].notional, 500);
    expectClose(expected[1].notional, 744);
    expectClose(1000 - 500 - 744, -244);

    expect(r.fills!.map((f) => f.bar)).toEqual([1, 2, 3, 4]);
    r.fills!.forEach((f, i) => {
      expect(f.side).toBe(expected[i].side);
      expectClose(f.notional, expected[i].notional);
      expectClose(f.cost, expected[i].cost);
      expectClose(f.equity, expected[i].equity);
    });
    Array.from(r.equity!).forEach((e, k) => expectClose(e, equity[k], 1e-12, `E[${k}]`));
    // The contract trades |dw| * E_open, not the gap to the target: after the last sell
    // (target 0) units are left, so equity still moves with the price at bar 5.
    expect(units).toBeGreaterThan(4);
    expect(r.equity![5]).not.toBe(r.equity![4]);
    // One round trip (0 -> ... -> 0); exposure counts bars whose executed target is > 0.
    expect(r.metrics.trades).toBe(1);
    expect(r.metrics.exposure).toBe(3 / 6);
    expect(r.metrics.swaps).toBe(4);
  });
});

describe("ruin", () => {
  // gas 64, no impact: the swap cost is exactly 64.
  const gas64 = costTable(64, [[1e9, 0]]);

  it("marks ruin when N <= cost(N), skips that swap and every later one, and keeps marking equity", () => {
    // Buy 128 at 128: units (128 - 64) / 128 = 0.5. Sell at open 128: N = 64 = cost: ruin.
    const open = [128, 128, 100, 128, 128, 256, 256];
    const close = [128, 100, 120, 130, 140, 150, 160];
    const r = runAccount(makeBars(open, close), gas64, [1, 0, 1, 0, 1, 0, 0], 128);
    expect(r.ruined).toBe(true);
    expect(r.fills!.map((f) => [f.bar, f.side, f.notional, f.cost])).toEqual([[1, "buy", 128, 64]]);
    // The sell at bar 2 (N = 0.5 * 100 = 50 <= 64) ruins; bars 3.. have no swaps and no fee.
    expect(r.metrics.swaps).toBe(1);
    expect(r.metrics.fees).toBe(64);
    // Still holding 0.5 units: equity follows the closes after the ruin.
    expect(Array.from(r.equity!)).toEqual([128, 50, 60, 65, 70, 75, 80]);
    expect(r.metrics.exposure).toBe(6 / 7);
    expect(r.metrics.trades).toBe(0);
  });

  it("ruins on N == cost(N) exactly and not on N just above it", () => {
    const exact = runAccount(makeBars([128, 128, 128], [128, 128, 128]), gas64, [1, 0, 0], 128);
    expect(exact.ruined).toBe(true); // sell N = 0.5 * 128 = 64 = cost
    expect(exact.metrics.swaps).toBe(1);
    expect(exact.metrics.final_balance).toBe(64);
    const above = runAccount(makeBars([128, 128, 130], [128, 128, 130]), gas64, [1, 0, 0], 128);
    expect(above.ruined).toBe(false); // sell N = 0.5 * 130 = 65 > 64
    expect(above.metrics.swaps).toBe(2);
    expect(above.metrics.final_balance).toBe(1);
  });

  it("ruins on the very first swap of an account smaller than its cost", () => {
    const r = runAccount(makeBars([100, 100, 90], [100, 95, 90]), gas64, [1, 1, 1], 64);
    expect(r.ruined).toBe(true);
    expect(r.fills).toEqual([]);
    expect(r.metrics.fees).toBe(0);
    expect(Array.from(r.equity!)).toEqual([64, 64, 64]);
    expect(r.metrics.exposure).toBe(0);
  });
});
