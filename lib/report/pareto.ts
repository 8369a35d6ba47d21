/**
 * Pareto fronts of a run's multi-objective studies ("a/b" objectives): for each, every
 * trial with all its values and whether it is on the front (no other trial is at least as
 * good in every objective and better in one, each objective in its own direction).
 */
import { getObjective, type Direction } from "../optimize/objectives";
import { paretoFront } from "../optimize/samplers/nsga2";
import type { TrialLine } from "../optimize/storage/types";
import type { Table } from "./csv";
import type { RunData } from "./run";

export interface ParetoStudy {
  study: string;
  objectives: string[];
  directions: Direction[];
  /** Trials with every value: id, values (as recorded), on the front or not. */
  trials: Array<{ id: number; values: number[]; front: boolean; params: TrialLine["params"] }>;
}

/** Directions of objectives this process may not know (a notebook's own): maximised, with a warning. */
function directionOf(name: string, warn: (msg: string) => void): Direction {
  try {
    return getObjective(name).direction;
  } catch {
    warn(`objective "${name}" is not defined in this process: its Pareto front is drawn as if it were maximised`);
    return "maximize";
  }
}

export function paretoStudies(run: RunData, warn: (msg: string) => void = () => {}): ParetoStudy[] {
  const out: ParetoStudy[] = [];
  for (const s of run.studies) {
    const objectives = s.objective.split("/");
    if (objectives.length < 2) continue;
    const directions = objectives.map((o) => directionOf(o, warn));
    const valued = run.trials.filter((t) => t.study === s.key && t.state === "complete" && t.values !== undefined && t.values.every((v) => v !== null));
    const records = valued.map((t) => ({ id: t.id, params: t.params, value: null, values: (t.values as number[]).map((v, i) => (directions[i] === "minimize" ? -v : v)) }));
    const front = new Set(paretoFront(records).map((t) => t.id));
    out.push({ study: s.key, objectives, directions, trials: valued.map((t) => ({ id: t.id, values: t.values as number[], front: front.has(t.id), params: t.params })) });
  }
  return out;
}

/** pareto.csv: the front's trials of every multi-objective study. */
export function paretoTable(studies: readonly ParetoStudy[]): Table {
  const width = Math.max(0, ...studies.map((s) => s.objectives.length));
  const columns = ["study", "trial", ...Array.from({ length: width }, (_, i) => [`objective_${i + 1}`, `value_${i + 1}`]).flat(), "params"];
  const rows = studies.flatMap((s) =>
    s.trials.filter((t) => t.front).map((t) => [s.study, t.id, ...Array.from({ length: width }, (_, i) => [s.objectives[i] ?? null, t.values[i] ?? null]).flat(), JSON.stringify(t.params)]),
  );
  return { columns, rows };
}
