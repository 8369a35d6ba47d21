/**
 * Every objective of lib/engine/objectives.ts on hand-made metric records (healthy,
 * losing, zero drawdown, no trades, profit-factor cap, wiped out), with the expected
 * numbers worked out from docs/objectives.md; then the ranking properties an optimiser
 * relies on (more return is better, more drawdown is worse, on both sides of zero).
 */
import { describe, expect, it } from "vitest";
import { OBJECTIVE_KEYS, PROFIT_FACTOR_CAP } from "../../lib/engine/metrics";
import {
  capitalAtWork,
  cps,
  cpsV2,
  cpsV2ProfitBiased,
  feeDrag,
  mar,
  objectives,
  profitBiased,
  profitFactorScore,
  tradeConfidence,
  utility,
  type MetricInputs,
} from "../../lib/engine/objectives";
import { expectClose, rng } from "./fixtures";

const BASE = 10_000;

const healthy: MetricInputs = {
  final_balance: 15_000,
  total_return: 0.5,
  cagr: 0.2,
  max_drawdown: 0.25,
  sharpe: 1.5,
  sortino: 2.4,
  volatility: 0.3,
  fees: 300,
  trades: 45,
  profit_factor: 1.8,
};
const loser: MetricInputs = {
  final_balance: 8_000,
  total_return: -0.2,
  cagr: -0.3,
  max_drawdown: 0.35,
  sharpe: -0.8,
  sortino: -1.1,
  volatility: 0.25,
  fees: 150,
  trades: 12,
  profit_factor: 0.6,
};
const smooth: MetricInputs = {
  final_balance: 10_100,
  total_return: 0.01,
  cagr: 0.05,
  max_drawdown: 0,
  sharpe: 3,
  sortino: 0,
  volatility: 0.01,
  fees: 0,
  trades: 2,
  profit_factor: PROFIT_FACTOR_CAP,
};
const idle: MetricInputs = {
  final_balance: BASE,
  total_return: 0,
  cagr: 0,
  max_drawdown: 0,
  sharpe: 0,
  sortino: 0,
  volatility: 0,
  fees: 0,
  trades: 0,
  profit_factor: 0,
};

describe("building blocks", () => {
  it("tradeConfidence = min(1, sqrt(trades / 30))", () => {
    expect(tradeConfidence(0)).toBe(0);
    expectClose(tradeConfidence(12), Math.sqrt(0.4));
    expect(tradeConfidence(30)).toBe(1);
    expect(tradeConfidence(300)).toBe(1);
    expect(tradeConfidence(-3)).toBe(0);
  });

  it("profitFactorScore = tanh(ln PF): -1 at 0, 0 at 1, 0.6 at 2, capped at 100", () => {
    expect(profitFactorScore(0)).toBe(-1);
    expect(profitFactorScore(1)).toBe(0);
    expectClose(profitFactorScore(2), 3 / 5);
    expectClose(profitFactorScore(2), Math.tanh(Math.log(2)));
    expectClose(profitFactorScore(PROFIT_FACTOR_CAP), 9999 / 10001);
    expect(profitFactorScore(1e9)).toBe(profitFactorScore(PROFIT_FACTOR_CAP));
  });

  it("capitalAtWork is the logarithmic mean of start and end equity", () => {
    expect(capitalAtWork(100, 0)).toBe(100);
    expectClose(capitalAtWork(100, Math.E - 1), 100 * (Math.E - 1)); // (e*100 - 100) / ln e
    expectClose(capitalAtWork(100, 1), 100 / Math.log(2)); // (200 - 100) / ln 2
    expectClose(capitalAtWork(100, 1e-12), 100, 1e-12); // continuous at r = 0
    expect(capitalAtWork(100, -1)).toBe(0);
    expect(capitalAtWork(0, 0.5)).toBe(0);
  });

  it("feeDrag = tanh(fees / capital at work), 1 once the capital is gone, 0 with no fees", () => {
    expectClose(feeDrag(100, 1000, 0), Math.tanh(0.1));
    expectClose(feeDrag(100, 1000, 1), Math.tanh(100 / (1000 / Math.log(2))));
    expect(feeDrag(100, 1000, -1)).toBe(1);
    expect(feeDrag(0, 1000, -1)).toBe(0);
  });
});

describe("each objective by hand", () => {
  it("a healthy record", () => {
    const o = objectives(healthy, BASE);
    expect(o.final_balance).toBe(15_000);
    expectClose(o.profit_biased, 0.5 * (1 - 0.25)); // 0.375
    expectClose(o.mar, 0.2 / 0.25); // 0.8
    expectClose(o.utility, 0.2 - (2 / 2) * 0.3 * 0.3); // 0.11
    expectClose(o.cps, 1 * ((1.5 + 0.5 * 2.4 + 0.5 * 0.8) / 2)); // 45 trades: full confidence; 1.55
    const quality = 0.35 * Math.tanh(1.5 / 2) + 0.25 * Math.tanh(2.4 / 3) + 0.25 * Math.tanh(0.8 / 3) + 0.15 * ((1.8 ** 2 - 1) / (1.8 ** 2 + 1));
    const capital = (BASE * 0.5) / Math.log(1.5); // 12,331.5: the account grew from 10,000 to 15,000
    const v2 = quality - 0.25 * Math.tanh(300 / capital);
    expectClose(o.cps_v2, v2);
    expectClose(o.cps_v2, 0.222302 + 0.166009 + 0.065135 + 0.079245 - 0.006081, 1e-5); // the terms, to 6 places
    expectClose(o.cps_v2_profit_biased, 0.5 * v2 + 0.5 * Math.tanh(0.5));
  });

  it("a losing record: drawdown makes every objective worse", () => {
    const o = objectives(loser, BASE);
    expectClose(o.profit_biased, -0.2 * (1 + 0.35)); // -0.27
    expectClose(o.mar, -0.3 * 0.35); // a loss is multiplied by the drawdown: -0.105
    expectClose(o.utility, -0.3 - 0.25 * 0.25); // -0.3625
    const conf = Math.sqrt(12 / 30);
    expectClose(o.cps, conf * ((-0.8 + 0.5 * -1.1 + 0.5 * -0.105) / 2));
    const quality = 0.35 * Math.tanh(-0.4) + 0.25 * Math.tanh(-1.1 / 3) + 0.25 * Math.tanh(-0.105 / 3) + 0.15 * ((0.36 - 1) / (0.36 + 1));
    const capital = (BASE * -0.2) / Math.log(0.8); // 8,962.8: fees were paid on a shrinking account
    expectClose(o.cps_v2, conf * quality - 0.25 * Math.tanh(150 / capital));
    expectClose(o.cps_v2_profit_biased, 0.5 * o.cps_v2 + 0.5 * Math.tanh(-0.2));
    for (const k of OBJECTIVE_KEYS) if (k !== "final_balance") expect(o[k], k).toBeLessThan(0);
  });

  it("zero drawdown: MAR uses the 1 % floor; cps clamps MAR at 5; the profit-factor cap scores 0.9998", () => {
    const o = objectives(smooth, BASE);
    expectClose(o.mar, 0.05 / 0.01); // 5
    expectClose(o.profit_biased, 0.01);
    const conf = Math.sqrt(2 / 30);
    expectClose(o.cps, conf * ((3 + 0 + 0.5 * 5) / 2));
    const steep = { ...smooth, cagr: 0.5 }; // MAR 50, clamped to 5 in cps
    expectClose(mar(steep), 50);
    expectClose(cps(steep), conf * ((3 + 0.5 * 5) / 2));
    const quality = 0.35 * Math.tanh(1.5) + 0 + 0.25 * Math.tanh(5 / 3) + 0.15 * (9999 / 10001);
    expectClose(o.cps_v2, conf * quality); // no fees, no drag
  });

  it("no trades: every objective is 0 (final_balance aside), and fees alone still cost in cps_v2", () => {
    const o = objectives(idle, BASE);
    expect(o.final_balance).toBe(BASE);
    for (const k of ["profit_biased", "mar", "utility", "cps", "cps_v2", "cps_v2_profit_biased"] as const) expect(Math.abs(o[k]), k).toBe(0);
    // An entry never closed: no round trip, so no confidence, but its fee is a drag.
    const holding = { ...idle, total_return: 0.1, cagr: 0.1, fees: 20, sharpe: 1, volatility: 0.2 };
    expectClose(cpsV2(holding, BASE), -0.25 * Math.tanh(20 / ((BASE * 0.1) / Math.log(1.1))));
    expect(cps(holding)).toBe(0);
  });

  it("a wiped-out account: MAR -1, profit_biased -2, the full fee drag", () => {
    const gone: MetricInputs = { ...loser, final_balance: 0, total_return: -1, cagr: -1, max_drawdown: 1 };
    expect(mar(gone)).toBe(-1);
    expect(profitBiased(gone)).toBe(-2);
    const conf = Math.sqrt(12 / 30);
    const quality = 0.35 * Math.tanh(-0.4) + 0.25 * Math.tanh(-1.1 / 3) + 0.25 * Math.tanh(-1 / 3) + 0.15 * ((0.36 - 1) / (0.36 + 1));
    expectClose(cpsV2(gone, BASE), conf * quality - 0.25);
  });

  it("objectives() returns every key, each equal to its own function", () => {
    const o = objectives(healthy, BASE);
    expect(Object.keys(o).sort()).toEqual([...OBJECTIVE_KEYS].sort());
    expect(o.profit_biased).toBe(profitBiased(healthy));
    expect(o.mar).toBe(mar(healthy));
    expect(o.utility).toBe(utility(healthy));
    expect(o.cps).toBe(cps(healthy));
    expect(o.cps_v2).toBe(cpsV2(healthy, BASE));
    expect(o.cps_v2_profit_biased).toBe(cpsV2ProfitBiased(healthy, BASE));
  });
});

describe("ranking properties", () => {
  const withDd = (m: MetricInputs, dd: number) => ({ ...m, max_drawdown: dd });
  const withRet = (m: MetricInputs, r: number, c = r) => ({ ...m, total_return: r, cagr: c });

  it("a deeper drawdown never scores higher, for winners and for losers", () => {
    for (const m of [healthy, loser]) {
      for (const f of [mar, profitBiased, cps, (x: MetricInputs) => cpsV2(x, BASE), (x: MetricInputs) => cpsV2ProfitBiased(x, BASE)]) {
        expect(f(withDd(m, 0.6)), `${f.name} ${m.total_return}`).toBeLessThan(f(withDd(m, 0.3)));
      }
    }
    // The defect of plain cagr / dd: -0.5 / 0.9 = -0.56 would beat -0.5 / 0.5 = -1.
    expect(mar({ ...loser, cagr: -0.5, max_drawdown: 0.9 })).toBeLessThan(mar({ ...loser, cagr: -0.5, max_drawdown: 0.5 }));
  });

  it("more return never scores lower, across zero", () => {
    const grid = [-0.9, -0.5, -0.1, -0.001, 0, 0.001, 0.1, 0.5, 2];
    for (const f of [mar, profitBiased, utility, (x: MetricInputs) => cpsV2ProfitBiased(x, BASE)]) {
      const scores = grid.map((r) => f(withRet(withDd(healthy, Math.max(0.2, -r)), r)));
      for (let i = 1; i < scores.length; i++) expect(scores[i], `${f.name} at ${grid[i]}`).toBeGreaterThanOrEqual(scores[i - 1]);
    }
  });

  it("fee drag does not grow with the account for the same fee rate", () => {
    // Fees of 1 % of the capital at work: a grower and a flat account pay the same drag.
    const flat = { ...healthy, total_return: 0, fees: 0.01 * capitalAtWork(BASE, 0) };
    const grower = { ...healthy, total_return: 3, fees: 0.01 * capitalAtWork(BASE, 3) };
    expectClose(feeDrag(grower.fees, BASE, 3), feeDrag(flat.fees, BASE, 0));
  });

  it("cps_v2 stays in (-1.25, 1) and cps_v2_profit_biased in (-1.01, 1) on random records", () => {
    const r = rng(99);
    for (let i = 0; i < 2000; i++) {
      const tr = -1 + 6 * r() ** 2;
      const m: MetricInputs = {
        final_balance: BASE * (1 + tr),
        total_return: tr,
        cagr: tr * 3,
        max_drawdown: r(),
        sharpe: (r() - 0.5) * 40,
        sortino: (r() - 0.5) * 80,
        volatility: r() * 3,
        fees: r() * BASE * 5,
        trades: Math.floor(r() * 100),
        profit_factor: r() < 0.1 ? PROFIT_FACTOR_CAP : r() * 5,
      };
      const v2 = cpsV2(m, BASE);
      expect(v2).toBeGreaterThan(-1.25);
      expect(v2).toBeLessThan(1);
      const pb = cpsV2ProfitBiased(m, BASE);
      expect(pb).toBeGreaterThan(-1.01);
      expect(pb).toBeLessThan(1);
    }
  });
});
