/**
 * What a backtest is run on, and how it is found again on resume. A `BacktestRequest` (what a
 * user asks for, with defaults) becomes a `BacktestSpec`: absolute paths with the sha256 of the
 * bytes read, validated parameters with their defaults filled in, the checkpoint policy. The
 * spec is the operation's request in operations.json and travels in every checkpoint, so a
 * resume in another process rebuilds the same run, and refuses to when a file changed.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CheckpointPolicy, type CheckpointPolicyConfig } from "../checkpoint";
import { parseCostTable, type CostTable } from "../costs/cost-table";
import type { Bars } from "../data/bars";
import { parseBarsCsv } from "../data/csv";
import { CostError, DataError, RunError, UsageError } from "../errors";
import { sha256 } from "../io/atomic";
import { DEFAULT_COSTS, DEFAULT_DATA } from "../paths";
import { validateParams } from "../strategies/params";
import { getStrategy } from "../strategies/registry";
import type { Params, Strategy } from "../strategies/types";
import { DEFAULT_EQUITY_EVERY } from "./engine";

export const DEFAULT_CHECKPOINT_EVERY_BARS = 10_000;
/** As for `evaluate`. */
export const DEFAULT_TRADE_SIZE = 10_000;

export interface BacktestRequest {
  /** A registered strategy, optionally with overlays: "sma_cross", "sma_cross+regime". */
  strategy: string;
  /** Missing parameters take their defaults. */
  params?: Record<string, unknown>;
  /** Starting capital in quote currency (default 10,000). */
  tradeSize?: number;
  /** OHLCV CSV (default data/default_5m.csv). */
  data?: string;
  /** Swap-cost table (default data/swap_cost_cache.json). */
  costs?: string;
  /** Sample equity every this many bars (default 100). */
  equityEvery?: number;
  /** When to take periodic checkpoints (default every 10,000 bars; `{}` never). */
  checkpoint?: CheckpointPolicyConfig;
}

/** A request made exact: the operation's recorded request and part of every checkpoint. */
export interface BacktestSpec {
  data: { path: string; sha256: string; bars: number };
  costs: { path: string; sha256: string };
  strategy: string;
  params: Params;
  tradeSize: number;
  equityEvery: number;
  checkpoint: CheckpointPolicyConfig;
}

/** A spec with everything loaded. */
export interface BacktestInputs {
  spec: BacktestSpec;
  bars: Bars;
  costs: CostTable;
  strategy: Strategy;
  params: Params;
}

export interface LoadInputsOptions {
  /** Non-fatal findings of the CSV reader (gaps in the time grid). */
  onWarning?: (message: string) => void;
}

/** Validates a request (cheap checks first), reads and hashes its files. */
export function prepareBacktest(req: BacktestRequest, opts: LoadInputsOptions = {}): BacktestInputs {
  if (typeof req !== "object" || req === null || typeof req.strategy !== "string" || req.strategy === "") {
    throw new UsageError(`a backtest needs a strategy name, e.g. { strategy: "sma_cross" }`);
  }
  const strategy = getStrategy(req.strategy);
  const params = validateParams(strategy, req.params ?? {});
  const tradeSize = req.tradeSize ?? DEFAULT_TRADE_SIZE;
  if (typeof tradeSize !== "number" || !(tradeSize > 0) || !Number.isFinite(tradeSize)) throw new UsageError(`trade size ${tradeSize} must be a positive number`);
  const equityEvery = req.equityEvery ?? DEFAULT_EQUITY_EVERY;
  if (!Number.isInteger(equityEvery) || equityEvery < 1) throw new UsageError(`equity sampling interval ${equityEvery} must be a positive whole number of bars`);
  const checkpoint = new CheckpointPolicy(req.checkpoint ?? { everyUnits: DEFAULT_CHECKPOINT_EVERY_BARS }).config;
  const dataPath = resolve(req.data ?? DEFAULT_DATA);
  const costsPath = resolve(req.costs ?? DEFAULT_COSTS);
  const costs = readCosts(costsPath);
  const data = readData(dataPath, opts);
  return {
    spec: {
      data: { path: dataPath, sha256: data.sha256, bars: data.bars.length },
      costs: { path: costsPath, sha256: costs.sha256 },
      strategy: strategy.name,
      params,
      tradeSize,
      equityEvery,
      checkpoint,
    },
    bars: data.bars,
    costs: costs.table,
    strategy,
    params,
  };
}

/**
 * Loads a recorded spec again, for a resume: the files must hold the bytes they held when the
 * backtest started (sha256), else a RunError naming the file; nothing is changed on disk.
 */
export function reloadBacktest(spec: BacktestSpec, operationId: string, opts: LoadInputsOptions = {}): BacktestInputs {
  const fail = (what: string) => new RunError(`cannot resume backtest ${operationId}: ${what}`);
  checkSpec(spec, operationId);
  const costs = readCosts(spec.costs.path);
  if (costs.sha256 !== spec.costs.sha256) throw fail(changed(spec.costs.path, costs.sha256, spec.costs.sha256));
  const data = readData(spec.data.path, opts);
  if (data.sha256 !== spec.data.sha256) throw fail(changed(spec.data.path, data.sha256, spec.data.sha256));
  if (data.bars.length !== spec.data.bars) throw fail(`${spec.data.path} has ${data.bars.length} bars, the backtest was started on ${spec.data.bars}`);
  const strategy = getStrategy(spec.strategy);
  const params = validateParams(strategy, spec.params);
  return { spec, bars: data.bars, costs: costs.table, strategy, params };
}

/** Same run (files, strategy, params, size, sampling), whatever the checkpoint policy. */
export function sameRun(a: BacktestSpec, b: BacktestSpec): boolean {
  const key = (s: BacktestSpec) => JSON.stringify([s.data, s.costs, s.strategy, sortedEntries(s.params), s.tradeSize, s.equityEvery]);
  return key(a) === key(b);
}

function sortedEntries(p: Params): [string, unknown][] {
  return Object.keys(p)
    .sort()
    .map((k) => [k, p[k]]);
}

function changed(path: string, now: string, then: string): string {
  return `${path} changed since the backtest started (sha256 now ${now.slice(0, 12)}…, recorded ${then.slice(0, 12)}…); restore the original file to resume, or start a new backtest`;
}

/** A spec read back from operations.json or a checkpoint: the shape this code wrote. */
export function checkSpec(spec: unknown, operationId: string): asserts spec is BacktestSpec {
  const s = spec as Partial<BacktestSpec> | null;
  const bad =
    typeof s !== "object" || s === null ? "is not an object"
    : typeof s.data?.path !== "string" || typeof s.data.sha256 !== "string" || typeof s.data.bars !== "number" ? "has no data path, sha256 and bar count"
    : typeof s.costs?.path !== "string" || typeof s.costs.sha256 !== "string" ? "has no costs path and sha256"
    : typeof s.strategy !== "string" ? "has no strategy"
    : typeof s.params !== "object" || s.params === null ? "has no params"
    : typeof s.tradeSize !== "number" || typeof s.equityEvery !== "number" ? "has no trade size or equity sampling"
    : "";
  if (bad) throw new RunError(`cannot resume backtest ${operationId}: its recorded request ${bad} (not written by this version of stratlab?)`);
}

function readData(path: string, opts: LoadInputsOptions): { bars: Bars; sha256: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataError(`${path}: cannot read the bars file (${(e as NodeJS.ErrnoException).code ?? e}); pass an existing CSV (stratlab data generate writes one)`);
  }
  // Hash and parse the same bytes: the recorded hash is that of the data actually used.
  return { bars: parseBarsCsv(bytes, path, opts.onWarning ? { onWarning: opts.onWarning } : {}), sha256: sha256(bytes) };
}

function readCosts(path: string): { table: CostTable; sha256: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CostError(`${path}: cannot read the cost table (${(e as NodeJS.ErrnoException).code ?? e}); pass an existing file`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    throw new CostError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return { table: parseCostTable(raw, path), sha256: sha256(bytes) };
}
