/**
 * Objectives as studies use them: a function of one trial's metrics (every metric of every
 * period, at every trade size) returning a number, or null for "no value" (the trial is
 * then pruned). Built-in objectives are registered here exactly as yours are, with
 * `defineObjective` (in a notebook, a script or a file given to --objective-file).
 *
 * Direction: single-objective studies maximise (an objective to minimise, e.g.
 * max_drawdown, is for multi-objective studies; alone, define one returning its negative).
 * Objectives run where trials are recorded (the main thread), never on a worker, so they
 * may use anything. A user objective's sha256 (of its source, or of its file) goes in the
 * run manifest: resuming with a changed objective is refused.
 */
import { createHash } from "node:crypto";
import { METRIC_KEYS, OBJECTIVE_KEYS, type Metrics } from "../engine/metrics";
import type { PeriodKey } from "../engine/periods";
import { ParamError } from "../errors";
import type { Params } from "../strategies/types";
import type { TrialResult } from "./storage/types";

/** What an objective sees of a trial. */
export interface TrialMetrics {
  /** Every metric of every period at the first trade size. */
  periods: Record<PeriodKey, Metrics>;
  /** The study's period (built-ins read `periods[period]`). */
  period: PeriodKey;
  /** Every trade size's result (results[0] is the one `periods` shows). */
  results: readonly TrialResult[];
  params: Params;
  /** The account was ruined at the first trade size (built-ins then give null). */
  ruined: boolean;
}

export type Direction = "maximize" | "minimize";

export interface ObjectiveDefinition {
  name: string;
  description?: string;
  /** Default "maximize". */
  direction?: Direction;
  value: (t: TrialMetrics) => number | null;
}

export interface Objective {
  readonly name: string;
  readonly description: string;
  readonly direction: Direction;
  readonly value: (t: TrialMetrics) => number | null;
  /** sha256 of a user objective's code (null for a built-in), and its file if any. */
  readonly code: { sha256: string; file?: string } | null;
}

const registry = new Map<string, Objective>();
const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const FILE_SLOT = Symbol.for("stratlab.definingFromFile");

/** Register an objective by name (re-defining a user objective replaces it). */
export function defineObjective(def: ObjectiveDefinition): Objective {
  if (typeof def?.name !== "string" || !NAME.test(def.name)) throw new ParamError(`objective name ${JSON.stringify(def?.name)} must start with a letter and use only letters, digits, "_", "." and "-"`);
  if (registry.get(def.name)?.code === null) throw new ParamError(`objective name "${def.name}" is taken by a built-in objective; choose another`);
  if (typeof def.value !== "function") throw new ParamError(`objective "${def.name}": value must be a function (trial) => number | null`);
  const direction = def.direction ?? "maximize";
  if (direction !== "maximize" && direction !== "minimize") throw new ParamError(`objective "${def.name}": direction ${JSON.stringify(direction)} must be "maximize" or "minimize"`);
  const file = (globalThis as { [FILE_SLOT]?: { file: string; sha256: string } | null })[FILE_SLOT] ?? null;
  const code = file !== null ? { sha256: file.sha256, file: file.file } : { sha256: createHash("sha256").update(JSON.stringify({ name: def.name, direction, value: String(def.value) })).digest("hex") };
  const o: Objective = { name: def.name, description: def.description ?? "", direction, value: def.value, code };
  registry.set(def.name, o);
  return o;
}

/** An objective by name; a ParamError listing what exists. */
export function getObjective(name: string): Objective {
  const o = registry.get(name);
  if (o === undefined) throw new ParamError(`unknown objective "${name}"; available: ${objectiveNames().join(", ")}`);
  return o;
}

export function objectiveNames(): string[] {
  return [...registry.keys()];
}

/** Whether `x` looks like an objective (for code files). */
export function isObjectiveLike(x: unknown): x is Objective {
  const o = x as Partial<Objective> | null;
  return typeof o === "object" && o !== null && typeof o.name === "string" && typeof o.value === "function" && (o.direction === "maximize" || o.direction === "minimize");
}

/** Evaluate an objective on a trial; non-finite numbers count as no value. */
export function objectiveValue(o: Objective, t: TrialMetrics): number | null {
  const v = o.value(t);
  if (v === null || v === undefined) return null;
  if (typeof v !== "number") throw new ParamError(`objective "${o.name}" returned ${JSON.stringify(v)}, not a number or null`);
  return Number.isFinite(v) ? v : null;
}

function builtIn(name: string, direction: Direction, description: string): void {
  const key = name as keyof Metrics;
  registry.set(name, { name, description, direction, value: (t) => (t.ruined ? null : (t.periods[t.period][key] as number)), code: null });
}

// The seven scores of docs/objectives.md, then the plain metrics worth optimising.
for (const k of OBJECTIVE_KEYS) builtIn(k, "maximize", `${k} of the study's period (docs/objectives.md)`);
const MINIMISED = new Set(["max_drawdown", "volatility", "fees"]);
for (const k of ["total_return", "cagr", "sharpe", "sortino", "win_rate", "profit_factor", "max_drawdown", "volatility", "fees"] as const) {
  if (!(METRIC_KEYS as readonly string[]).includes(k)) continue;
  builtIn(k, MINIMISED.has(k) ? "minimize" : "maximize", `${k} of the study's period`);
}
