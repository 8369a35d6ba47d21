/**
 * The swap-cost table (EVALUATOR-CONTRACT "Cost table"): round-up buckets of trade
 * size with a price impact each, plus a fixed gas cost per swap.
 */
import { CostError, quote } from "../errors";

/**
 * Bounds a plausible table stays within: gas above a million per swap, or a bucket above a
 * trillion, is a typo (1e308 turned every result into -Infinity without a word).
 */
export const COST_LIMITS = { gas: 1e6, size: 1e15 } as const;
const TABLE_KEYS = ["gas", "buckets", "meta"];
const BUCKET_KEYS = ["size", "impact"];

export interface CostTable {
  /** Fixed cost per swap, quote currency. */
  readonly gas: number;
  /** Bucket sizes, quote currency, strictly increasing, > 0. */
  readonly sizes: Float64Array;
  /** Impact per bucket, a fraction in [0, 1). */
  readonly impacts: Float64Array;
  readonly meta?: Record<string, unknown>;
}

/** The JSON form, as in data/swap_cost_cache.json. */
export interface CostTableJson {
  gas: number;
  buckets: { size: number; impact: number }[];
  meta?: Record<string, unknown>;
}

/** Validate a parsed cost-table object; `where` names the file in messages. */
export function parseCostTable(raw: unknown, where = "cost table"): CostTable {
  const fail = (what: string): never => {
    throw new CostError(`${where}: ${what}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("expected a JSON object with \"gas\" and \"buckets\"");
  const obj = raw as Record<string, unknown>;
  const unknown = Object.keys(obj).find((k) => !TABLE_KEYS.includes(k));
  if (unknown !== undefined) fail(`unknown key ${quote(unknown)}; a cost table has ${TABLE_KEYS.join(", ")} (put notes under "meta")`);
  const gas = obj.gas;
  if (typeof gas !== "number" || !Number.isFinite(gas) || gas < 0 || gas > COST_LIMITS.gas) fail(`"gas" must be a number >= 0 and <= ${COST_LIMITS.gas} (quote currency per swap), got ${quote(gas)}`);
  const buckets = obj.buckets;
  if (!Array.isArray(buckets) || buckets.length === 0) fail("\"buckets\" must be a non-empty array of { size, impact }");
  const list = buckets as unknown[];
  const sizes = new Float64Array(list.length);
  const impacts = new Float64Array(list.length);
  list.forEach((b, i) => {
    const rec = (typeof b === "object" && b !== null ? b : {}) as Record<string, unknown>;
    const { size, impact } = rec;
    const extra = Object.keys(rec).find((k) => !BUCKET_KEYS.includes(k));
    if (extra !== undefined) fail(`buckets[${i}] has unknown key ${quote(extra)}; a bucket is { size, impact }`);
    if (typeof size !== "number" || !Number.isFinite(size) || size <= 0 || size > COST_LIMITS.size) fail(`buckets[${i}].size must be a number > 0 and <= ${COST_LIMITS.size}, got ${quote(size)}`);
    if (typeof impact !== "number" || !Number.isFinite(impact) || impact < 0 || impact >= 1)
      fail(`buckets[${i}].impact must be a fraction in [0, 1), got ${quote(impact)}`);
    if (i > 0 && (size as number) <= sizes[i - 1]) fail(`buckets[${i}].size ${size} must be greater than buckets[${i - 1}].size ${sizes[i - 1]} (sizes strictly increasing)`);
    sizes[i] = size as number;
    impacts[i] = impact as number;
  });
  const meta = typeof obj.meta === "object" && obj.meta !== null ? (obj.meta as Record<string, unknown>) : undefined;
  return { gas: gas as number, sizes, impacts, meta };
}

export function costTableToJson(table: CostTable): CostTableJson {
  const buckets = Array.from(table.sizes, (size, i) => ({ size, impact: table.impacts[i] }));
  return table.meta ? { gas: table.gas, buckets, meta: table.meta } : { gas: table.gas, buckets };
}

/**
 * Index of the bucket for notional `n`: the smallest size >= n (round up); the last
 * bucket when n is above every size (the caller flags that case).
 */
export function bucketIndex(sizes: Float64Array, n: number): number {
  let lo = 0;
  let hi = sizes.length - 1;
  if (n > sizes[hi]) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sizes[mid] >= n) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** cost(N) = N * impact(bucket(N)) + gas. */
export function swapCost(table: CostTable, n: number): number {
  return n * table.impacts[bucketIndex(table.sizes, n)] + table.gas;
}

/**
 * Warnings for trade sizes above the largest bucket: they are charged that bucket's impact
 * (the contract's rule), which understates their cost; valid, but rarely what was meant.
 */
export function tradeSizeWarnings(table: CostTable, tradeSizes: readonly number[]): string[] {
  const largest = table.sizes[table.sizes.length - 1]!;
  return tradeSizes
    .filter((s) => s > largest)
    .map((s) => `trade size ${s} is above the largest cost bucket (${largest}): its swaps are charged that bucket's impact, which understates their cost`);
}
