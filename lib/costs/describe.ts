/**
 * What a cost table says, for people: where it came from (fetched, or not), its buckets,
 * and what a swap of a few typical sizes costs under the contract's round-up rule. Pure.
 */
import { bucketIndex, swapCost, type CostTable } from "./cost-table";

/** The sizes `costs show` prices by default: 1k, 10k, 100k of quote currency. */
export const EXAMPLE_SIZES = [1_000, 10_000, 100_000] as const;

export interface SwapExample {
  size: number;
  /** The bucket whose impact applies (the smallest >= size; the largest above every bucket). */
  bucket: number;
  impact: number;
  cost: number;
  /** cost / size, a fraction. */
  costFraction: number;
  aboveLargestBucket: boolean;
}

export interface CostOrigin {
  fetched: boolean;
  /** One line: "fetched from http (BTC/USDC) at ..." or why it is not fetched data. */
  summary: string;
}

export interface CostDescription {
  origin: CostOrigin;
  gas: number;
  buckets: { size: number; impact: number }[];
  examples: SwapExample[];
}

/** A table counts as fetched only when its meta says so (`kind: "fetched"`, with a time). */
export function costOrigin(meta: Record<string, unknown> | undefined): CostOrigin {
  if (meta?.kind === "fetched" && typeof meta.fetched_at === "string") {
    const pair = typeof meta.pair === "string" ? ` (${meta.pair})` : "";
    const url = typeof meta.url === "string" ? ` ${meta.url}` : "";
    return { fetched: true, summary: `fetched from ${String(meta.source)}${pair}${url} at ${meta.fetched_at}: ${meta.sizes} sizes, ${meta.requests} requests, ${meta.retries} retries` };
  }
  if (meta?.kind === "computed" && typeof meta.fetched_at === "string") {
    const pool = (meta.pool ?? {}) as Record<string, unknown>;
    return { fetched: false, summary: `computed at ${meta.fetched_at} from a constant-product pool (quote reserve ${pool.reserve_quote}, fee ${pool.fee}) given on the command line, not fetched` };
  }
  const kind = typeof meta?.kind === "string" ? meta.kind : "no meta saying where it came from";
  return { fetched: false, summary: `NOT fetched data (${kind}); build a real one with: stratlab costs fetch (docs/costs.md)` };
}

export function swapExample(table: CostTable, size: number): SwapExample {
  const i = bucketIndex(table.sizes, size);
  const cost = swapCost(table, size);
  return { size, bucket: table.sizes[i]!, impact: table.impacts[i]!, cost, costFraction: cost / size, aboveLargestBucket: size > table.sizes[table.sizes.length - 1]! };
}

export function describeCostTable(table: CostTable, sizes: readonly number[] = EXAMPLE_SIZES): CostDescription {
  return {
    origin: costOrigin(table.meta),
    gas: table.gas,
    buckets: Array.from(table.sizes, (size, i) => ({ size, impact: table.impacts[i]! })),
    examples: sizes.map((s) => swapExample(table, s)),
  };
}
