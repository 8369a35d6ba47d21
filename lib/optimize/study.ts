/**
 * Studies: one search of one strategy for one objective on one period. A run holds
 * strategies x objectives x periods of them; every trial records every metric of every
 * period, so any objective can be ranked afterwards.
 */
import type { Metrics } from "../engine/metrics";
import { isPeriodKey, PERIOD_KEYS, type PeriodKey } from "../engine/periods";
import { ParamError, UsageError } from "../errors";
import { getStrategy } from "../strategies/registry";
import type { Params } from "../strategies/types";
import { getObjective, objectiveValue, type Objective } from "./objectives";
import type { TaskResult } from "./task";

export interface StudySpec {
  /** "strategy|objective|period", unique within a run. */
  key: string;
  strategy: string;
  /** The objective's name; for a multi-objective study, the names joined by "/" ("total_return/max_drawdown"). */
  objective: string;
  /** The objective names (one for a single-objective study). */
  objectives: string[];
  period: PeriodKey;
}

/** Separates the objectives of one multi-objective study: --objective total_return/max_drawdown. */
export const MULTI_SEPARATOR = "/";

export function studyKey(strategy: string, objective: string, period: string): string {
  return `${strategy}|${objective}|${period}`;
}


/** The cross product, validated: unknown names fail with the list of what exists. */
export function planStudies(strategies: readonly string[], objectives: readonly string[], periods: readonly string[]): StudySpec[] {
  if (strategies.length === 0) throw new UsageError("no strategy given; e.g. --strategy sma_cross");
  for (const s of strategies) getStrategy(s); // throws ParamError naming the available ones
  for (const o of objectives) {
    const names = o.split(MULTI_SEPARATOR);
    const objs = names.map(getObjective); // throws ParamError naming the available ones
    if (names.length === 1 && objs[0].direction === "minimize") {
      throw new ParamError(`objective "${o}" is minimised; single-objective studies maximise: use it with another (e.g. total_return${MULTI_SEPARATOR}${o}) or define an objective returning its negative`);
    }
    if (new Set(names).size !== names.length) throw new ParamError(`objective "${o}" lists the same objective twice`);
  }
  for (const p of periods) {
    if (!isPeriodKey(p)) throw new ParamError(`unknown period "${p}"; available: ${PERIOD_KEYS.join(", ")}`);
  }
  const out: StudySpec[] = [];
  for (const strategy of strategies)
    for (const objective of objectives)
      for (const period of periods as PeriodKey[]) out.push({ key: studyKey(strategy, objective, period), strategy, objective, objectives: objective.split(MULTI_SEPARATOR), period });
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
export function trialValue(study: StudySpec, r: TaskResult, params: Params = {}): TrialOutcome {
  if (r.error !== undefined || r.results.length === 0) return { value: null, state: "failed" };
  const first = r.results[0];
  if (first.aborted) return { value: null, state: "pruned" };
  const t = { periods: first.periods as Record<PeriodKey, Metrics>, period: study.period, results: r.results, params, ruined: first.ruined };
  const values: (number | null)[] = [];
  for (const name of study.objectives) {
    const o: Objective = getObjective(name);
    try {
      values.push(objectiveValue(o, t));
    } catch (e) {
      return { value: null, state: "failed", error: `objective "${name}": ${(e as Error).message}` };
    }
  }
  // null from an objective prunes the trial; a ruined account is complete whatever it gives.
  const state: TrialState = first.ruined || values.every((v) => v !== null) ? "complete" : "pruned";
  if (values.length === 1) return { value: values[0], state };
  return { value: null, values, state };
}

export interface TrialOutcome {
  value: number | null;
  /** Multi-objective studies: one value per objective. */
  values?: (number | null)[];
  state: TrialState;
  error?: string;
}

export interface BestTrial {
  id: number;
  value: number;
  params: Params;
}
