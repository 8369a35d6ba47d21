import { readFileSync } from "node:fs";
import { CostError } from "../errors";
import { parseCostTable, type CostTable } from "./cost-table";

export const COST_CONFIG_FILE = "stratlab.config.json";
export const COST_SOURCE_ENV = "STRATLAB_COST_SOURCE";

/** The one line for a missing cost table: how to get one (docs/costs.md). */
export function howToFetch(path: string): string {
  return `${path}: no cost table (ENOENT); fetch one with: stratlab costs fetch --source http|amm ... --out ${path} (docs/costs.md), configure a source in ${COST_CONFIG_FILE} ("costs") or ${COST_SOURCE_ENV} to have it fetched, or pass --costs with an existing file`;
}

/** Read and validate a cost table file (data/swap_cost_cache.json). */
export function loadCostTable(path: string): CostTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new CostError(howToFetch(path));
    throw new CostError(`${path}: cannot read the cost table (${(e as NodeJS.ErrnoException).code ?? e}); pass --costs with an existing file`);
  }
  // A UTF-8 BOM (Windows editors write one) is accepted, as in the bars CSV.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CostError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseCostTable(raw, path);
}
