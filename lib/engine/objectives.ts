/**
 * Objectives: single numbers to maximise, computed from a period's metrics. Every
 * formula and its rationale is in docs/objectives.md; keep the two in step.
 */
import { PROFIT_FACTOR_CAP, type MetricKey, type ObjectiveKey } from "./metrics";

/** Floor on drawdown in MAR, so a flat or near-flat curve does not divide by ~0. */
export const MAR_DRAWDOWN_FLOOR = 0.01;
/** Risk aversion of the mean-variance utility. */
export const UTILITY_RISK_AVERSION = 2;
/** Round trips at which the composite scores stop discounting for small samples. */
export const CPS_FULL_CONFIDENCE_TRADES = 30;
/** Bound on MAR inside cps (v1), so one extreme ratio cannot dominate. */
export const CPS_MAR_CLAMP = 5;

export type MetricInputs = Pick<
  Record<MetricKey, number>,
  "final_balance" | "total_return" | "cagr" | "max_drawdown" | "sharpe" | "sortino" | "volatility" | "fees" | "trades" | "profit_factor"
>;

const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

/** Small-sample discount: sqrt(trades / 30), at most 1. */
export function tradeConfidence(trades: number): number {
  return Math.min(1, Math.sqrt(Math.max(0, trades) / CPS_FULL_CONFIDENCE_TRADES));
}

/** tanh(ln PF) = (PF^2 - 1) / (PF^2 + 1): -1 with no profit, 0 at break-even, -> 1. */
export function profitFactorScore(pf: number): number {
  const p = clamp(pf, 0, PROFIT_FACTOR_CAP);
  return (p * p - 1) / (p * p + 1);
}

export function mar(m: MetricInputs): number {
  return m.cagr / Math.max(m.max_drawdown, MAR_DRAWDOWN_FLOOR);
}

export function profitBiased(m: MetricInputs): number {
  const r = m.total_return;
  return r >= 0 ? r * (1 - m.max_drawdown) : r * (1 + m.max_drawdown);
}

export function utility(m: MetricInputs): number {
  return m.cagr - (UTILITY_RISK_AVERSION / 2) * m.volatility * m.volatility;
}

export function cps(m: MetricInputs): number {
  const core = (m.sharpe + 0.5 * m.sortino + 0.5 * clamp(mar(m), -CPS_MAR_CLAMP, CPS_MAR_CLAMP)) / 2;
  return tradeConfidence(m.trades) * core;
}

/** @param base the period's starting equity, to express fees as a drag on capital. */
export function cpsV2(m: MetricInputs, base: number): number {
  const quality =
    0.35 * Math.tanh(m.sharpe / 2) +
    0.25 * Math.tanh(m.sortino / 3) +
    0.25 * Math.tanh(mar(m) / 3) +
    0.15 * profitFactorScore(m.profit_factor);
  const feeDrag = base > 0 ? Math.tanh(m.fees / base) : 0;
  return tradeConfidence(m.trades) * quality - 0.25 * feeDrag;
}

export function cpsV2ProfitBiased(m: MetricInputs, base: number): number {
  return 0.5 * cpsV2(m, base) + 0.5 * Math.tanh(m.total_return);
}

/** All objectives of one period. */
export function objectives(m: MetricInputs, base: number): Record<ObjectiveKey, number> {
  return {
    final_balance: m.final_balance,
    profit_biased: profitBiased(m),
    cps_v2_profit_biased: cpsV2ProfitBiased(m, base),
    mar: mar(m),
    utility: utility(m),
    cps: cps(m),
    cps_v2: cpsV2(m, base),
  };
}
