/** A run's configuration: what the user asked for, normalised, with defaults. */
import type { PeriodKey } from "../engine/periods";
import { UsageError } from "../errors";
import { DEFAULT_COSTS, DEFAULT_DATA } from "../paths";

export interface RunOptions {
  /** Run name (folder suffix; re-running with the same name resumes). */
  name?: string;
  data?: string;
  costs?: string;
  strategies: string[] | string;
  objectives?: string[] | string;
  periods?: string[] | string;
  /** Trials per study. */
  trials?: number;
  sampler?: string;
  seed?: number;
  /** Trials proposed together per study; fixed per run (determinism does not depend on workers). */
  batchSize?: number;
  tradeSizes?: number[] | number;
  /** Prune trials whose whole-run drawdown passes this fraction (early abort). */
  abortDrawdown?: number;
  cpuFraction?: number;
  maxWorkers?: number;
  /** Root folder for run directories (default reports/runs). */
  out?: string;
  /** Resume this run directory. */
  resumeFrom?: string;
  /** Write intermediate reports every N trials (0 = only at the end). */
  reportFrequency?: number;
  /** Code files whose exported strategies (and objectives) are registered before the run (--strategy-file). */
  strategyFiles?: string[];
  /** Code files whose exported objectives are registered before the run (--objective-file). */
  objectiveFiles?: string[];
  /** On resume, evaluate the trials recorded as failed again (same params); otherwise they stay failed. */
  retryFailed?: boolean;
}

/** The search configuration recorded in the manifest; resume must match it. */
export interface SearchConfig {
  strategies: string[];
  /** Objective names; "a/b" is one multi-objective study. */
  objectives: string[];
  periods: PeriodKey[];
  trials: number;
  sampler: string;
  seed: number;
  batchSize: number;
  tradeSizes: number[];
  abortDrawdown: number | null;
}

export const DEFAULTS = {
  objectives: ["mar"],
  periods: ["1y"] as PeriodKey[],
  trials: 200,
  sampler: "tpe",
  seed: 1,
  batchSize: 16,
  tradeSizes: [10_000],
  cpuFraction: 0.9,
};

/**
 * Bounds of a search, checked for the CLI and notebooks alike; each error says the bound.
 * Workers: a multiple of the cores, because each holds the bars and an evaluator (64 workers
 * on 2 cores ran out of memory after 13 s).
 */
export const SEARCH_LIMITS = {
  trials: 1_000_000,
  batchSize: 4096,
  tradeSize: 1e12,
  tradeSizes: 64,
  seed: 2 ** 32 - 1,
  workersPerCore: 4,
} as const;

/** Samplers that handle several objectives in one study ("a/b"); NSGA-II is the default there. */
const MULTI_OBJECTIVE_SAMPLERS: readonly string[] = ["nsga2", "random"];

const asList = (x: string[] | string | undefined): string[] | undefined =>
  x === undefined ? undefined : (Array.isArray(x) ? x : x.split(",")).map((s) => s.trim()).filter(Boolean);

function positiveInt(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new UsageError(`${name} ${v} must be an integer >= 1 and <= ${max}`);
  return v;
}

export function normaliseSearch(o: RunOptions): SearchConfig {
  const sizes = o.tradeSizes === undefined ? DEFAULTS.tradeSizes : Array.isArray(o.tradeSizes) ? o.tradeSizes : [o.tradeSizes];
  if (sizes.length > SEARCH_LIMITS.tradeSizes) throw new UsageError(`${sizes.length} trade sizes: at most ${SEARCH_LIMITS.tradeSizes} are allowed`);
  for (const s of sizes) if (!(s > 0) || !(s <= SEARCH_LIMITS.tradeSize)) throw new UsageError(`trade size ${s} must be a positive number <= ${SEARCH_LIMITS.tradeSize}`);
  if (o.abortDrawdown !== undefined && !(o.abortDrawdown > 0 && o.abortDrawdown <= 1)) throw new UsageError(`abort drawdown ${o.abortDrawdown} must be in (0, 1]`);
  const seed = o.seed ?? DEFAULTS.seed;
  if (!Number.isInteger(seed) || Math.abs(seed) > SEARCH_LIMITS.seed) throw new UsageError(`seed ${seed} must be an integer between -${SEARCH_LIMITS.seed} and ${SEARCH_LIMITS.seed}`);
  const objectives = asList(o.objectives) ?? DEFAULTS.objectives;
  const sampler = o.sampler ?? (objectives.some((x) => x.includes("/")) ? "nsga2" : DEFAULTS.sampler);
  if (objectives.some((x) => x.includes("/")) && !MULTI_OBJECTIVE_SAMPLERS.includes(sampler)) {
    throw new UsageError(`sampler "${sampler}" optimises one objective; a multi-objective study (${objectives.find((x) => x.includes("/"))}) needs ${MULTI_OBJECTIVE_SAMPLERS.join(" or ")}`);
  }
  return {
    strategies: asList(o.strategies) ?? [],
    objectives,
    periods: (asList(o.periods) ?? DEFAULTS.periods) as PeriodKey[],
    trials: positiveInt("trials", o.trials ?? DEFAULTS.trials, SEARCH_LIMITS.trials),
    sampler,
    seed,
    batchSize: positiveInt("batch size", o.batchSize ?? DEFAULTS.batchSize, SEARCH_LIMITS.batchSize),
    tradeSizes: [...sizes],
    abortDrawdown: o.abortDrawdown ?? null,
  };
}

export function dataPaths(o: Pick<RunOptions, "data" | "costs">): { data: string; costs: string } {
  return { data: o.data ?? DEFAULT_DATA, costs: o.costs ?? DEFAULT_COSTS };
}
