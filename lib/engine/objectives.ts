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

/**
 * CAGR over max drawdown (floored). A loss is multiplied by the drawdown instead of
 * divided (Israelsen, "A refinement to the Sharpe ratio and information ratio", J. Asset
 * Management 5(6), 2005): plain cagr / dd ranks a loser with a deeper drawdown *higher*
 * (-0.5 / 0.9 > -0.5 / 0.5), the opposite of what an optimiser must learn.
 */
export function mar(m: MetricInputs): number {
  const dd = Math.max(m.max_drawdown, MAR_DRAWDOWN_FLOOR);
  return m.cagr >= 0 ? m.cagr / dd : m.cagr * dd;
}

/** Return scaled down by the drawdown when positive, amplified by it when negative. */
export function profitBiased(m: MetricInputs): number {
  const r = m.total_return;
  return r >= 0 ? r * (1 - m.max_drawdown) : r * (1 + m.max_drawdown);
}

/** Mean-variance certainty equivalent: cagr - (A / 2) * volatility^2, A = UTILITY_RISK_AVERSION. */
export function utility(m: MetricInputs): number {
  return m.cagr - (UTILITY_RISK_AVERSION / 2) * m.volatility * m.volatility;
}

/** Composite (v1): confidence * (sharpe + sortino / 2 + clamp(mar, +-5) / 2) / 2; unbounded. */
export function cps(m: MetricInputs): number {
  const core = (m.sharpe + 0.5 * m.sortino + 0.5 * clamp(mar(m), -CPS_MAR_CLAMP, CPS_MAR_CLAMP)) / 2;
  return tradeConfidence(m.trades) * core;
}

/**
 * The capital fees were paid on: the logarithmic mean of the period's start and end
 * equity, base * r / ln(1 + r) (r = total_return), which is the time-average equity of
 * an account growing at a constant rate. Dividing fees by the *start* equity instead
 * would charge a strategy that grew the account more drag for the same turnover.
 */
export function capitalAtWork(base: number, totalReturn: number): number {
  if (!(base > 0) || !(totalReturn > -1)) return 0;
  return totalReturn === 0 ? base : (base * totalReturn) / Math.log1p(totalReturn);
}

/** tanh(fees / capital at work): 0 with no fees, -> 1 as fees approach the capital. */
export function feeDrag(fees: number, base: number, totalReturn: number): number {
  if (!(fees > 0)) return 0;
  const capital = capitalAtWork(base, totalReturn);
  return capital > 0 ? Math.tanh(fees / capital) : 1;
}

/**
 * Composite (v2), bounded in (-1.25, 1): confidence * quality - 0.25 * fee drag, where
 * quality = 0.35 tanh(sharpe / 2) + 0.25 tanh(sortino / 3) + 0.25 tanh(mar / 3)
 * + 0.15 tanh(ln profit_factor): each ratio squashed near its typical scale, so no single
 * extreme ratio decides the score.
 * @param base the period's starting equity, to express fees as a drag on capital.
 */
export function cpsV2(m: MetricInputs, base: number): number {
  const quality =
    0.35 * Math.tanh(m.sharpe / 2) +
    0.25 * Math.tanh(m.sortino / 3) +
    0.25 * Math.tanh(mar(m) / 3) +
    0.15 * profitFactorScore(m.profit_factor);
  return tradeConfidence(m.trades) * quality - 0.25 * feeDrag(m.fees, base, m.total_return);
}

/** Half cps_v2, half tanh(total_return): quality and plain profit, in (-1.01, 1). */
export function cpsV2ProfitBiased(m: MetricInputs, base: number): number {
  return 0.5 * cpsV2(m, base) + 0.5 * Math.tanh(m.total_return);
}

/** Write every objective of a period into its metric record (the evaluator's allocation-free path). */
export function setObjectives(m: MetricInputs & Record<ObjectiveKey, number>, base: number): void {
  m.profit_biased = profitBiased(m);
  m.cps_v2_profit_biased = cpsV2ProfitBiased(m, base);
  m.mar = mar(m);
  m.utility = utility(m);
  m.cps = cps(m);
  m.cps_v2 = cpsV2(m, base);
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
