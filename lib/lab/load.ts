/** The `load` verb: bars and a cost table, the defaults when no path is given. */
import type { CostTable } from "../costs/cost-table";
import { loadCostTable } from "../costs/load";
import type { Bars } from "../data/bars";
import { loadBars } from "../data/csv";
import { ensureDefaultData } from "../data/generate";
import { DEFAULT_COSTS, DEFAULT_DATA } from "../paths";

export interface Loaded {
  bars: Bars;
  costs: CostTable;
  /** Non-fatal findings (gaps in the time grid). */
  warnings: string[];
}

export function load(opts: { data?: string; costs?: string } = {}): Loaded {
  if (opts.data === undefined) ensureDefaultData(DEFAULT_DATA);
  const warnings: string[] = [];
  const bars = loadBars(opts.data ?? DEFAULT_DATA, { onWarning: (w) => warnings.push(w) });
  return { bars, costs: loadCostTable(opts.costs ?? DEFAULT_COSTS), warnings };
}
