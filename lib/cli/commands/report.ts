import { loadCostTable } from "../../costs/load";
import { loadBars } from "../../data/csv";
import { basename, dirname } from "node:path";
import { formatError, UsageError } from "../../errors";
import { RUNS_DIR } from "../../paths";
import { generateReport, writeRunIndex } from "../../report";
import { BOUNDS, num, str } from "../args";
import type { Command } from "../command";

export const reportCommand: Command = {
  name: "report",
  summary: "write a run's tables (CSV/JSON) and its dashboard (index.html)",
  usage: [
    "usage: stratlab report DIR [--top N] [--no-curves] [--external-plotly] [--data FILE] [--costs FILE] [--json]",
    "       stratlab report --index [RUNS]",
    "",
    "  DIR            a run directory (reports/runs/<stamp>-<name>)",
    "  --index        write the run index of RUNS (default reports/runs) to reports/index.html: every run,",
    "                 its status, studies and best values; select runs there to compare them",
    "  --top          trials per top list, and curves drawn (default 10)",
    "  --no-curves    skip the equity/drawdown curves (no bars loaded, no evaluations)",
    "  --external-plotly  load plotly.js from one copy in the runs folder (../plotly.min.js) instead of",
    "                 inlining it (the default: index.html copied alone still draws its charts)",
    "  --single-file  inline plotly.js (the default; accepted for older scripts)",
    "  --data         bars for the curves instead of the run's data file",
    "  --costs        cost table for the curves instead of the run's costs file",
    "",
    "Writes DIR/report/*.csv, *.json and DIR/index.html, and prints their paths (docs/reports.md).",
  ].join("\n"),
  options: {
    top: { type: "string" },
    "no-curves": { type: "boolean" },
    "single-file": { type: "boolean" },
    "external-plotly": { type: "boolean" },
    index: { type: "boolean" },
    data: { type: "string" },
    costs: { type: "string" },
  },
  run(ctx) {
    if (ctx.values.index === true) {
      if (ctx.positionals.length > 1) throw new UsageError(`give at most one runs folder, e.g. stratlab report --index reports/runs (got ${ctx.positionals.length})`);
      const idx = writeRunIndex(ctx.positionals[0] ?? RUNS_DIR);
      ctx.out(idx.path);
      ctx.err(`${idx.runs} runs; open ${idx.path}`);
      return { index: idx.path, runs: idx.runs };
    }
    if (ctx.values["single-file"] === true && ctx.values["external-plotly"] === true) throw new UsageError("--single-file and --external-plotly contradict each other; give one");
    if (ctx.positionals.length !== 1) throw new UsageError(`give one run directory, e.g. stratlab report reports/runs/20250101T000000Z-demo (got ${ctx.positionals.length})`);
    const dataPath = str(ctx.values, "data");
    const costsPath = str(ctx.values, "costs");
    const result = generateReport(ctx.positionals[0], {
      topN: num(ctx.values, "top", { int: true, min: 1, max: BOUNDS.top }),
      curves: ctx.values["no-curves"] !== true,
      externalPlotly: ctx.values["external-plotly"] === true,
      bars: dataPath === undefined ? undefined : loadBars(dataPath, { onWarning: ctx.err }),
      costs: costsPath === undefined ? undefined : loadCostTable(costsPath),
      onWarning: (w) => ctx.err(`warning: ${w}`),
    });
    for (const f of result.files) ctx.out(f);
    // The run index beside a runs folder (reports/index.html) follows; a run elsewhere
    // leaves its parent folder alone.
    let runIndex: string | null = null;
    if (basename(dirname(result.runDir)) === "runs") {
      try {
        runIndex = writeRunIndex(dirname(result.runDir)).path;
      } catch (e) {
        ctx.err(`warning: run index not written: ${formatError(e)}`);
      }
    }
    ctx.err(`${result.trials} trials, ${result.curves} curves, status ${result.status}, ${Math.round(result.ms)} ms; open ${result.index}`);
    return { index: result.index, run_index: runIndex, files: result.files, status: result.status, trials: result.trials, curves: result.curves, warnings: result.warnings, ms: Math.round(result.ms) };
  },
};
