/**
 * Reports on 2,000 trials: a run directory made by the runner itself (sma_cross and
 * donchian_breakout x mar and cps_v2 on 1y, 500 random trials each, on the default data),
 * then the intermediate report the runner writes every --report-frequency trials (tables
 * and dashboard, no curves) and the final report (plus equity and drawdown curves of the
 * top 10, re-evaluated on the run's 210,240 bars). Medians of 3 after one untimed call
 * (the first copies plotly.js into the run). Then the final dashboard in headless Chromium:
 * time until every chart is drawn (median of 3), when Chromium is installed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runOptimization } from "../lib/optimize/runner";
import { generateReport, writeIntermediateReport, type ReportResult } from "../lib/report";
import { medianTiming } from "./measure";
import { pageDrawTime } from "./page";
import type { BenchContext, Section, SectionOutput } from "./section";

const RUNS = 3;
const TRIALS_PER_STUDY = 500;

interface ReportFigures {
  report: string;
  trials: number;
  curves: number;
  wall_ms: number;
  cpu_ms: number;
}

async function run(ctx: BenchContext): Promise<SectionOutput> {
  ctx.progress(`report: making a run of ${4 * TRIALS_PER_STUDY} trials`);
  const outcome = await runOptimization({
    strategies: ["sma_cross", "donchian_breakout"],
    objectives: ["mar", "cps_v2"],
    periods: ["1y"],
    trials: TRIALS_PER_STUDY,
    sampler: "random",
    seed: 1,
    out: ctx.tempDir("report"),
    data: ctx.dataPath,
    costs: ctx.costsPath,
  });
  const dir = outcome.dir;
  const rows: ReportFigures[] = [];
  const measure = (report: string, f: () => ReportResult) => {
    ctx.progress(`report: ${report}`);
    let r: ReportResult | undefined;
    const t = medianTiming(RUNS, () => void (r = f()));
    const last = r as ReportResult;
    rows.push({ report, trials: last.trials, curves: last.curves, wall_ms: t.wall, cpu_ms: t.cpu });
    return last;
  };
  measure("intermediate: writeIntermediateReport", () => writeIntermediateReport(dir));
  if (!readFileSync(join(dir, "index.html"), "utf8").includes('"status":"running"')) throw new Error("the intermediate report does not say the run is running");
  measure("final: generateReport (10 curves)", () => generateReport(dir));
  ctx.progress("report: the dashboard in headless chromium");
  const charts = ["chart-history", "chart-importance", "chart-param", "chart-pair", "chart-equity", "chart-drawdown"];
  const more = ["chart-parcoords", "chart-contour", "chart-heatmap", "chart-edf", "chart-timeline"];
  const page = await pageDrawTime(join(dir, "index.html"), charts, { section: "more-charts", charts: more });
  return {
    tables: [
      {
        title: `Reports of a ${outcome.trials.length.toLocaleString("en-US")}-trial run, ${ctx.bars.length.toLocaleString("en-US")} bars (median of ${RUNS}, after one untimed call)`,
        columns: ["report", "trials", "curves", "wall ms", "cpu ms"],
        rows: rows.map((r) => [r.report, r.trials, r.curves, r.wall_ms, r.cpu_ms]),
      },
      ...(page === null
        ? []
        : [
            {
              title: `The final dashboard in headless Chromium (median of 3): navigation until the ${charts.length} charts drawn at load, and until the ${more.length} drawn when scrolled to are too`,
              columns: ["page", "MB", "first charts ms", "all charts ms"],
              rows: [["index.html, 2,000 trials, plotly.js inlined", page.mb, page.first_ms, page.all_ms]],
            },
          ]),
    ],
    figures: { trials: outcome.trials.length, studies: outcome.studies.map((s) => s.key), bars: ctx.bars.length, runs: RUNS, reports: rows, page },
  };
}

export const reportSection: Section = { name: "report", title: "Report", run };
