/**
 * `POST /operations` bodies: one JSON schema per type (the CLI's options in snake_case), and
 * their translation to the library's requests. Fastify validates the body against the schema
 * before any handler runs, so nothing is written for a rejected request.
 */
import type { BacktestRequest } from "../backtest/inputs";
import type { CheckpointPolicyConfig } from "../checkpoint";
import type { OptimizeOptions } from "../lab/optimize";
import { API_TYPES, type ApiType } from "./types";

const num = (description: string, extra: Record<string, unknown> = {}) => ({ type: "number", description, ...extra });
const int = (description: string, minimum = 1, extra: Record<string, unknown> = {}) => ({ type: "integer", minimum, description, ...extra });
const path = (description: string) => ({ type: "string", minLength: 1, maxLength: 4096, description });
const name = (description: string) => ({ type: "string", minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9_+.,|-]+$", description });
const list = (description: string) => ({ anyOf: [name(description), { type: "array", minItems: 1, maxItems: 64, items: name(description) }] });

export const BACKTEST_FIELDS = {
  strategy: name("a registered strategy, optionally with overlays: sma_cross, sma_cross+regime"),
  params: { type: "object", maxProperties: 64, additionalProperties: { anyOf: [{ type: "number" }, { type: "string" }, { type: "boolean" }] }, description: "strategy parameters; missing ones take their defaults" },
  trade_size: num("starting capital in quote currency (default 10000)", { exclusiveMinimum: 0, maximum: 1e15 }),
  data: path("OHLCV CSV on the server (default data/default_5m.csv)"),
  costs: path("swap cost table on the server (default data/swap_cost_cache.json)"),
  checkpoint_every: int("periodic checkpoint every N bars (default 10000; 0: none by bars)", 0, { maximum: 1e9 }),
  checkpoint_minutes: num("also every M minutes", { exclusiveMinimum: 0, maximum: 1e6 }),
  equity_every: int("sample equity every N bars (default 100)", 1, { maximum: 1e9 }),
  stop_after_bars: int("cancel after K bars (demos, tests)", 1, { maximum: 1e12 }),
};

export const OPTIMISATION_FIELDS = {
  strategy: list("strategies, one study each (with every objective and period)"),
  objective: list("objectives (default mar)"),
  period: list("periods (default 1y)"),
  trials: int("trials per study (default 200)", 1, { maximum: 1_000_000 }),
  sampler: { type: "string", enum: ["tpe", "random", "evolution", "grid"], description: "default tpe" },
  seed: int("seed (default 1)", 0, { maximum: 2 ** 31 - 1 }),
  name: { type: "string", minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description: "run name (default: the operation id); a run of that name is resumed" },
  trade_size: { anyOf: [num("trade size", { exclusiveMinimum: 0, maximum: 1e15 }), { type: "array", minItems: 1, maxItems: 16, items: num("trade size", { exclusiveMinimum: 0, maximum: 1e15 }) }] },
  batch_size: int("trials proposed together per study (default 16)", 1, { maximum: 10_000 }),
  max_workers: int("worker threads of this operation's process", 1, { maximum: 256 }),
  abort_drawdown: num("prune trials past this drawdown", { exclusiveMinimum: 0, maximum: 1 }),
  data: path("OHLCV CSV on the server"),
  costs: path("swap cost table on the server"),
};

export const TRAINING_FIELDS = {
  data: path("OHLCV CSV on the server"),
  epochs: int("epochs", 1, { maximum: 100_000 }),
  hidden: { type: "array", items: { type: "integer", minimum: 1, maximum: 4096 }, minItems: 1, maxItems: 8, description: "hidden layer widths, e.g. [32, 16]" },
  optimizer: { type: "string", enum: ["adam", "sgd"], description: "adam, or sgd with momentum" },
  learning_rate: num("learning rate", { exclusiveMinimum: 0, maximum: 10 }),
  momentum: num("SGD's momentum", { minimum: 0, exclusiveMaximum: 1 }),
  batch_size: int("rows per step", 1, { maximum: 1_000_000 }),
  horizon: int("the label is the sign of the next h-bar return", 1, { maximum: 100_000 }),
  seed: int("seed", 0, { maximum: 2 ** 31 - 1 }),
  dropout: num("dropout rate after each hidden layer", { minimum: 0, maximum: 0.99 }),
  patience: int("early stopping after this many epochs without a lower validation loss", 1, { maximum: 100_000 }),
  train_fraction: num("share of rows that train", { exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  val_fraction: num("share of rows that validate", { exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  out: path("model folder on the server (default models/default)"),
  stop_after_epochs: int("cancel after K epochs (demos, tests)", 1, { maximum: 100_000 }),
};

const FIELDS: Record<ApiType, Record<string, unknown>> = { backtest: BACKTEST_FIELDS, optimisation: OPTIMISATION_FIELDS, training: TRAINING_FIELDS };
const REQUIRED: Record<ApiType, string[]> = { backtest: ["strategy"], optimisation: ["strategy"], training: [] };

/** The body schema: `type` picks the fields allowed beside it (unknown fields are refused). */
export const START_BODY = {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string", enum: [...API_TYPES] } },
  allOf: API_TYPES.map((t) => ({
    if: { properties: { type: { const: t } }, required: ["type"] },
    then: { type: "object", required: REQUIRED[t], properties: { type: { const: t }, ...FIELDS[t] }, additionalProperties: false },
  })),
};

type Body = Record<string, unknown>;
const opt = <K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : ({ [key]: v } as { [P in K]?: V }));
const asList = (v: unknown): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? (v as string[]) : String(v).split(",").map((s) => s.trim()).filter(Boolean));

export function backtestRequest(b: Body): { request: BacktestRequest; stopAfterBars?: number } {
  const every = b.checkpoint_every as number | undefined;
  const minutes = b.checkpoint_minutes as number | undefined;
  const checkpoint: CheckpointPolicyConfig | undefined =
    every === undefined && minutes === undefined ? undefined : { ...(every !== undefined && every > 0 ? { everyUnits: every } : {}), ...opt("everyMinutes", minutes) };
  return {
    request: {
      strategy: b.strategy as string,
      ...opt("params", b.params as Record<string, unknown> | undefined),
      ...opt("tradeSize", b.trade_size as number | undefined),
      ...opt("data", b.data as string | undefined),
      ...opt("costs", b.costs as string | undefined),
      ...opt("equityEvery", b.equity_every as number | undefined),
      ...opt("checkpoint", checkpoint),
    },
    ...opt("stopAfterBars", b.stop_after_bars as number | undefined),
  };
}

export function optimisationRequest(b: Body, defaults: { name: string; out: string }): OptimizeOptions {
  const sizes = b.trade_size;
  return {
    strategies: asList(b.strategy) ?? [],
    ...opt("objectives", asList(b.objective)),
    ...opt("periods", asList(b.period)),
    ...opt("trials", b.trials as number | undefined),
    ...opt("sampler", b.sampler as string | undefined),
    ...opt("seed", b.seed as number | undefined),
    ...opt("tradeSizes", sizes === undefined ? undefined : Array.isArray(sizes) ? (sizes as number[]) : [sizes as number]),
    ...opt("batchSize", b.batch_size as number | undefined),
    ...opt("maxWorkers", b.max_workers as number | undefined),
    ...opt("abortDrawdown", b.abort_drawdown as number | undefined),
    ...opt("data", b.data as string | undefined),
    ...opt("costs", b.costs as string | undefined),
    ...opt("resumeFrom", b.resume_dir as string | undefined),
    name: (b.name as string | undefined) ?? defaults.name,
    out: defaults.out,
  };
}
