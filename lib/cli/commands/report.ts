import { loadCostTable } from "../../costs/load";
import { loadBars } from "../../data/csv";
import { UsageError } from "../../errors";
import { generateReport } from "../../report";
import { BOUNDS, num, str } from "../args";
import type { Command } from "../command";

export const reportCommand: Command = {
  name: "report",
  summary: "write a run's tables (CSV/JSON) and its dashboard (index.html)",
  usage: [
    "usage: stratlab report DIR [--top N] [--no-curves] [--single-file] [--data FILE] [--costs FILE] [--json]",
    "",
    "  DIR            a run directory (reports/runs/<stamp>-<name>)",
    "  --top          trials per top list, and curves drawn (default 10)",
    "  --no-curves    skip the equity/drawdown curves (no bars loaded, no evaluations)",
    "  --single-file  inline plotly.js into index.html (one file to send around, ~5-11 MB)",
    "  --data         bars for the curves instead of the run's data file",
    "  --costs        cost table for the curves instead of the run's costs file",
    "",
    "Writes DIR/report/*.csv, *.json and DIR/index.html, and prints their paths (docs/reports.md).",
  ].join("\n"),
  options: {
    top: { type: "string" },
    "no-curves": { type: "boolean" },
    "single-file": { type: "boolean" },
    data: { type: "string" },
    costs: { type: "string" },
  },
  run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError(`give one run directory, e.g. stratlab report reports/runs/20250101T000000Z-demo (got ${ctx.positionals.length})`);
    const dataPath = str(ctx.values, "data");
    const costsPath = str(ctx.values, "costs");
    const result = generateReport(ctx.positionals[0], {
      topN: num(ctx.values, "top", { int: true, min: 1, max: BOUNDS.top }),
      curves: ctx.values["no-curves"] !== true,
      singleFile: ctx.values["single-file"] === true,
      bars: dataPath === undefined ? undefined : loadBars(dataPath, { onWarning: ctx.err }),
      costs: costsPath === undefined ? undefined : loadCostTable(costsPath),
      onWarning: (w) => ctx.err(`warning: ${w}`),
    });
    for (const f of result.files) ctx.out(f);
    ctx.err(`${result.trials} trials, ${result.curves} curves, status ${result.status}, ${Math.round(result.ms)} ms; open ${result.index}`);
    return { index: result.index, files: result.files, status: result.status, trials: result.trials, curves: result.curves, warnings: result.warnings, ms: Math.round(result.ms) };
  },
};
