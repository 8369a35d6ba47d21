import { readFileSync } from "node:fs";
import { CostError } from "../errors";
import { parseCostTable, type CostTable } from "./cost-table";

/** Read and validate a cost table file (data/swap_cost_cache.json). */
export function loadCostTable(path: string): CostTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
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
