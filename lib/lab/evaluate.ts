/** The `evaluate` verb shared by the CLI and notebooks: names in, validated, evaluated. */
import type { CostTable } from "../costs/cost-table";
import type { Bars } from "../data/bars";
import { ACCOUNT_PATHS, Evaluator, type EvaluateOptions } from "../engine/evaluate";
import type { EvalResult } from "../engine/metrics";
import { UsageError } from "../errors";
import { validateParams } from "../strategies/params";
import { getStrategy } from "../strategies/registry";

export interface EvaluateRequest extends EvaluateOptions {
  strategy: string;
  params?: Record<string, unknown>;
  /** One size or several (signals computed once); default 10,000. */
  tradeSize?: number | readonly number[];
}

export const DEFAULT_TRADE_SIZE = 10_000;

const evaluators = new WeakMap<Bars, Map<CostTable, Evaluator>>();

/** One Evaluator (and its scratch buffers) per bars/costs pair, reused across calls. */
export function evaluatorFor(bars: Bars, costs: CostTable): Evaluator {
  let byCosts = evaluators.get(bars);
  if (!byCosts) evaluators.set(bars, (byCosts = new Map()));
  let ev = byCosts.get(costs);
  if (!ev) byCosts.set(costs, (ev = new Evaluator(bars, costs)));
  return ev;
}

export function evaluate(bars: Bars, costs: CostTable, req: EvaluateRequest): EvalResult[] {
  const strategy = getStrategy(req.strategy);
  const params = validateParams(strategy, req.params ?? {});
  const sizes = req.tradeSize === undefined ? [DEFAULT_TRADE_SIZE] : typeof req.tradeSize === "number" ? [req.tradeSize] : [...req.tradeSize];
  for (const s of sizes) if (!(s > 0) || !Number.isFinite(s)) throw new UsageError(`trade size ${s} must be a positive number`);
  if (req.path !== undefined && !ACCOUNT_PATHS.includes(req.path)) throw new UsageError(`account path ${JSON.stringify(req.path)} is not one of ${ACCOUNT_PATHS.join(", ")}`);
  return evaluatorFor(bars, costs).evaluate(strategy, params, sizes, req);
}
