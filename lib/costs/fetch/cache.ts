/**
 * The cost table a fetch produces, in the contract's format (`gas`, `buckets`, `meta`),
 * checked by the same parser every evaluation uses, then written atomically: a reader or a
 * crash sees the old file or the new one, never a torn one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../io/atomic";
import { PACKAGE_ROOT } from "../../paths";
import { parseCostTable, type CostTableJson } from "../cost-table";
import type { Answer, MonotoneBreak } from "./answer";
import type { FetchSpec } from "./spec";

export function stratlabVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export interface CacheInput {
  spec: FetchSpec;
  /** Sorted by size, one per planned size. */
  answers: readonly Answer[];
  breaks: readonly MonotoneBreak[];
  /** The pool the amm source used (after reading its endpoint, if any). */
  pool?: { reserveQuote: number; fee: number };
  /** Requests of the amm source's endpoint (the http source counts its answers' attempts). */
  extraRequests?: number;
  extraRetries?: number;
  fetchedAt: Date;
}

/** The table's gas: --gas, or the largest gas any answer stated (costs are not understated). */
function tableGas(spec: FetchSpec, answers: readonly Answer[]): number {
  if (spec.gas !== undefined) return spec.gas;
  return Math.max(...answers.map((a) => a.gas ?? 0));
}

export function buildCostTable(c: CacheInput): CostTableJson {
  const { spec, answers } = c;
  const src = spec.source;
  const requests = answers.reduce((n, a) => n + a.attempts, 0) + (c.extraRequests ?? 0);
  const retries = answers.reduce((n, a) => n + Math.max(0, a.attempts - 1), 0) + (c.extraRetries ?? 0);
  const gases = answers.map((a) => a.gas).filter((g): g is number => g !== undefined);
  const meta: Record<string, unknown> = {
    // "computed": an amm table from reserves typed on the command line, nothing was asked of a source.
    kind: src.kind === "amm" && src.url === undefined ? "computed" : "fetched",
    source: src.kind,
    ...(spec.pair ? { pair: `${spec.pair.base}/${spec.pair.quote}`, quote: spec.pair.quote } : {}),
    ...(src.url !== undefined ? { url: src.url } : {}),
    ...(src.kind === "http" ? { impact_path: src.impactPath, impact_unit: src.impactUnit } : {}),
    ...(src.kind === "http" && src.gasPath !== undefined ? { gas_path: src.gasPath, gas_rule: "the largest gas of the answers", gas_range: [Math.min(...gases), Math.max(...gases)] } : {}),
    ...(c.pool ? { pool: { model: "constant product (Uniswap v2)", reserve_quote: c.pool.reserveQuote, fee: c.pool.fee } } : {}),
    ...(spec.headers.length ? { headers: spec.headers.map((h) => h.name) } : {}),
    fetched_at: c.fetchedAt.toISOString(),
    step: spec.step,
    end: spec.end,
    sizes: answers.length,
    requests,
    retries,
    ...(c.breaks.length ? { non_monotone: c.breaks.map((b) => [b.smaller, b.larger]) } : {}),
    stratlab_version: stratlabVersion(),
  };
  return { gas: tableGas(spec, answers), buckets: answers.map((a) => ({ size: a.size, impact: a.impact })), meta };
}

/** Validate with the evaluator's own parser, then replace `out` atomically. */
export function writeCostTable(out: string, table: CostTableJson): void {
  parseCostTable(table, out);
  writeFileAtomic(out, JSON.stringify(table, null, 2) + "\n");
}
