import { loadCostTable } from "../../costs/load";
import { loadBars } from "../../data/csv";
import { evaluate } from "../../lab/evaluate";
import { tradeSizeWarnings } from "../../costs/cost-table";
import { validateParams, warmupWarnings } from "../../strategies/params";
import { getStrategy } from "../../strategies/registry";
import { METRIC_KEYS, OBJECTIVE_KEYS, type EvalResult } from "../../engine/metrics";
import { PERIOD_KEYS } from "../../engine/periods";
import { DEFAULT_COSTS, DEFAULT_DATA } from "../../paths";
import { loadCodeFile } from "../../optimize/code-file";
import { jsonObject, list, numList, required, str } from "../args";
import type { Command } from "../command";
import { ensureCosts } from "./costs";
import { STRATEGY_INPUT_OPTIONS, strategyInputUsage } from "../strategy-input";
import { renderTable } from "../table";

export const evaluateCommand: Command = {
  name: "evaluate",
  summary: "evaluate one strategy's parameters on bars (every metric, every period)",
  usage: [
    "usage: stratlab evaluate --strategy NAME [--params JSON] [--trade-size N[,N...]]",
    "                         [--data FILE] [--costs FILE] [--full] [--json]",
    "",
    ...strategyInputUsage(10, "starting capital in quote currency; a comma-separated list gives one result per size"),
    "  --full        with --json, also equity at every close, fills and round trips",
    "  --strategy-file FILE.ts|.js  register the strategies a file exports first (docs/api.md)",
  ].join("\n"),
  options: {
    ...STRATEGY_INPUT_OPTIONS,
    full: { type: "boolean" },
    "strategy-file": { type: "string" },
  },
  async run(ctx) {
    for (const f of list(ctx.values, "strategy-file") ?? []) loadCodeFile(f);
    const strategy = required(ctx.values, "strategy", "e.g. --strategy sma_cross");
    const params = jsonObject(ctx.values, "params") ?? {};
    const tradeSize = numList(ctx.values, "trade-size");
    const costsPath = str(ctx.values, "costs") ?? DEFAULT_COSTS;
    await ensureCosts(costsPath);
    const costs = loadCostTable(costsPath);
    const bars = loadBars(str(ctx.values, "data") ?? DEFAULT_DATA, { onWarning: ctx.err });
    const results = evaluate(bars, costs, { strategy, params, tradeSize, full: ctx.values.full === true });
    // The parameters used, defaults filled in: the JSON echoes them once, whatever the sizes.
    const used = validateParams(getStrategy(strategy), params);
    const warnings = [...warmupWarnings(getStrategy(strategy), used, bars.length), ...tradeSizeWarnings(costs, results.map((r) => r.trade_size))];
    for (const w of warnings) ctx.err(`warning: ${w}`);
    if (!ctx.json) for (const r of results) ctx.out(formatResult(strategy, r) + "\n");
    return { strategy, params: used, results: results.map(resultDoc), warnings };
  },
};

/** One entry of the --json `results`: the trade size, every metric (whole run), then periods keyed 30d/90d/1y/all. */
export function resultDoc(r: EvalResult): Record<string, unknown> {
  const { metrics, periods, ...rest } = r;
  return { ...rest, ...metrics, periods };
}

function formatResult(strategy: string, r: EvalResult): string {
  const keys = [...METRIC_KEYS, ...OBJECTIVE_KEYS.filter((k) => k !== "final_balance")];
  const rows = keys.map((k) => [k, ...PERIOD_KEYS.map((p) => r.periods[p][k])]);
  const flags = [r.ruined ? "RUINED" : "", r.aborted ? "ABORTED" : "", r.over_max_bucket ? `${r.over_max_bucket} swaps above the largest cost bucket` : ""].filter(Boolean);
  return [`${strategy} @ trade size ${r.trade_size}${flags.length ? "  [" + flags.join(", ") + "]" : ""}`, renderTable(["metric", ...PERIOD_KEYS], rows)].join("\n");
}
