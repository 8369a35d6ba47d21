/**
 * Studies: one search of one strategy for one objective on one period. A run holds
 * strategies x objectives x periods of them; every trial records every metric of every
 * period, so any objective can be ranked afterwards.
 */
import { OBJECTIVE_KEYS, type ObjectiveKey } from "../engine/metrics";
import { isPeriodKey, PERIOD_KEYS, type PeriodKey } from "../engine/periods";
import { ParamError, UsageError } from "../errors";
import { getStrategy } from "../strategies/registry";
import type { Params } from "../strategies/types";
import type { TaskResult } from "./task";

export interface StudySpec {
  /** "strategy|objective|period", unique within a run. */
  key: string;
  strategy: string;
  objective: ObjectiveKey;
  period: PeriodKey;
}

export function studyKey(strategy: string, objective: string, period: string): string {
  return `${strategy}|${objective}|${period}`;
}

export function isObjectiveKey(x: string): x is ObjectiveKey {
  return (OBJECTIVE_KEYS as readonly string[]).includes(x);
}

/** The cross product, validated: unknown names fail with the list of what exists. */
export function planStudies(strategies: readonly string[], objectives: readonly string[], periods: readonly string[]): StudySpec[] {
  if (strategies.length === 0) throw new UsageError("no strategy given; e.g. --strategy sma_cross");
  for (const s of strategies) getStrategy(s); // throws ParamError naming the available ones
  for (const o of objectives) {
    if (!isObjectiveKey(o)) throw new ParamError(`unknown objective "${o}"; available: ${OBJECTIVE_KEYS.join(", ")}`);
  }
  for (const p of periods) {
    if (!isPeriodKey(p)) throw new ParamError(`unknown period "${p}"; available: ${PERIOD_KEYS.join(", ")}`);
  }
  const out: StudySpec[] = [];
  for (const strategy of strategies)
    for (const objective of objectives as ObjectiveKey[])
      for (const period of periods as PeriodKey[]) out.push({ key: studyKey(strategy, objective, period), strategy, objective, period });
  const keys = new Set(out.map((s) => s.key));
  if (keys.size !== out.length) throw new UsageError("the same strategy, objective or period is listed twice");
  return out;
}

export type TrialState = "complete" | "pruned" | "failed";

/**
 * A study's value for an evaluated trial: the objective on the study's period at the
 * first trade size. Errors are "failed". A run stopped early by the drawdown bound
 * (aborted) is "pruned", as Optuna names a trial stopped early. A run that stopped trading
 * because a swap would cost its whole notional (ruined) ran to the end: it is "complete",
 * marked `ruined`, with value null, so it ranks below every trial with a value. (A ruined
 * run's trailing window can look like buy-and-hold, or flat, while the account is dead:
 * giving it the objective's value would reward ruin.)
 */
export function trialValue(study: StudySpec, r: TaskResult): { value: number | null; state: TrialState } {
  if (r.error !== undefined || r.results.length === 0) return { value: null, state: "failed" };
  const first = r.results[0];
  if (first.aborted) return { value: null, state: "pruned" };
  if (first.ruined) return { value: null, state: "complete" };
  const v = first.periods[study.period][study.objective];
  return Number.isFinite(v) ? { value: v, state: "complete" } : { value: null, state: "failed" };
}

export interface BestTrial {
  id: number;
  value: number;
  params: Params;
}
