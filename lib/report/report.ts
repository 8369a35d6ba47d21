/**
 * A run directory's report: tables under `<run>/report/` and the dashboard `<run>/index.html`,
 * every file written atomically (a reader sees the old file or the new one). Reading the
 * run never changes it. docs/reports.md describes every file.
 */
import { rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { CostTable } from "../costs/cost-table";
import type { Bars } from "../data/bars";
import { PERIOD_KEYS } from "../engine/periods";
import { RunError, UsageError } from "../errors";
import { joinInside } from "../io/safe-path";
import { writeFileAtomic } from "../io/atomic";
import { loadCodeFile } from "../optimize/code-file";
import type { RunManifest } from "../optimize/storage/manifest";
import { paretoStudies, paretoTable } from "./pareto";
import { loadRunInputs, shortlistCurves, type Curve } from "./curves";
import { candles, type Candles } from "./drilldown";
import { formatCsv, type Table } from "./csv";
import { buildModel, type RunStatus } from "./dashboard/model";
import { renderPage } from "./dashboard/page";
import { plotlySource, writePlotlyAsset } from "./dashboard/plotly";
import { DEFAULT_MAX_POINTS } from "./downsample";
import { loadRun } from "./run";
import { DEFAULT_TOP_N, objectiveTable, periodTable, summarize, summaryTable, topLists, topTable } from "./tables";

export const REPORT_DIR = "report";
export const INDEX_FILE = "index.html";

export interface ReportOptions {
  /** Trials per top list, and curves drawn (default 10). */
  topN?: number;
  /** Equity and drawdown curves of the overall top N (default true; needs the run's bars and costs). */
  curves?: boolean;
  /** Bars for the curves instead of the manifest's data file. */
  bars?: Bars;
  /** Cost table for the curves instead of the manifest's costs file. */
  costs?: CostTable;
  /**
   * Load plotly.js from one copy in the runs folder (`../plotly.min.js`, shared by every run
   * there) instead of inlining it (the default: index.html copied alone still draws).
   */
  externalPlotly?: boolean;
  /** Inline plotly.js (the default; kept for callers of earlier versions). */
  singleFile?: boolean;
  /** Points per curve on the page at most (default 2,000). */
  maxCurvePoints?: number;
  /** Warnings (torn journal tail, skipped curves); they are also returned. */
  onWarning?: (msg: string) => void;
  /** Mark the run as still running (intermediate reports). */
  running?: boolean;
}

export interface ReportResult {
  runDir: string;
  reportDir: string;
  /** The dashboard. */
  index: string;
  /** Every file written, absolute paths, index.html last. */
  files: string[];
  status: RunStatus;
  trials: number;
  /** Curves drawn (0 without curves). */
  curves: number;
  warnings: string[];
  /** Wall time of the whole report, ms. */
  ms: number;
}

export function generateReport(runDir: string, opts: ReportOptions = {}): ReportResult {
  const started = performance.now();
  const topN = opts.topN ?? DEFAULT_TOP_N;
  if (!Number.isInteger(topN) || topN < 1) throw new UsageError(`top ${topN} must be an integer >= 1`);
  const maxPoints = opts.maxCurvePoints ?? DEFAULT_MAX_POINTS;
  if (!Number.isInteger(maxPoints) || maxPoints < 4) throw new UsageError(`maxCurvePoints ${maxPoints} must be an integer >= 4`);
  const warnings: string[] = [];
  const warn = (msg: string) => {
    warnings.push(msg);
    opts.onWarning?.(msg);
  };

  const run = loadRun(runDir, warn);
  const reportDir = join(run.dir, REPORT_DIR);
  const files: string[] = [];
  const write = (name: string, text: string | Uint8Array) => {
    // Names come from the run's manifest: a file may only land inside report/.
    const path = joinInside(reportDir, name, "report file", (m) => new RunError(m));
    writeFileAtomic(path, text);
    files.push(path);
  };
  const writeCsv = (name: string, t: Table) => write(name, formatCsv(t));

  const done = run.trials.length;
  const planned = run.planned * run.studies.length;
  const status: RunStatus = opts.running ? "running" : done >= planned ? "complete" : "incomplete";

  // A multi-objective study's objective "a/b" names its file objective-a_vs_b.csv.
  for (const o of run.manifest.args.objectives) writeCsv(`objective-${o.split("/").join("_vs_")}.csv`, objectiveTable(run, o));
  const pareto = paretoStudies(run, warn);
  if (pareto.length > 0) {
    write("pareto.json", json({ studies: pareto.map((p) => ({ ...p, trials: p.trials.filter((t) => t.front) })) }));
    writeCsv("pareto.csv", paretoTable(pareto));
  }
  for (const p of PERIOD_KEYS) writeCsv(`period-${p}.csv`, periodTable(run, p));

  const summaries = summarize(run);
  const generated = new Date();
  write(
    "summary.json",
    json({
      run: {
        name: run.manifest.name,
        dir: run.dir,
        created: run.manifest.created,
        generated: generated.toISOString(),
        status,
        trials_done: done,
        trials_planned: planned,
        trade_size: run.manifest.args.tradeSizes[0],
        objectives: run.manifest.args.objectives,
        periods: PERIOD_KEYS,
      },
      studies: summaries,
      warnings,
    }),
  );
  writeCsv("summary.csv", summaryTable(summaries));

  const top = topLists(run, topN);
  write("top.json", json(top));
  writeCsv("top.csv", topTable(top));

  let curves: Curve[] | null = null;
  let price: Candles | null = null;
  let curvesNote = "Curves are drawn by the final report (stratlab report DIR); intermediate reports skip them to stay fast.";
  if (opts.curves !== false && !opts.running) {
    if (top.overall.length === 0) curvesNote = "No complete trial yet: no curves.";
    else {
      loadStrategyFiles(run.manifest, warn);
      const inputs = loadRunInputs(run, { bars: opts.bars, costs: opts.costs }, warn);
      if (inputs === null) curvesNote = "Curves skipped: the run's data or cost file is missing or changed (see the warnings in report/summary.json).";
      else {
        curves = shortlistCurves(top.overall, inputs, { maxPoints, onWarning: warn });
        price = candles(inputs.bars);
        write("curves.json", json({ maxPoints, curves }));
      }
    }
  } else if (opts.curves === false && !opts.running) {
    curvesNote = "Curves were not requested (--no-curves).";
  }
  // A curves.json of an earlier report would no longer match the tables beside it.
  if (curves === null) rmSync(join(reportDir, "curves.json"), { force: true });

  // A copy of an earlier version's default (report/plotly*.js) is no longer used.
  if (!opts.externalPlotly) for (const name of ["plotly.min.js", "plotly.js"]) rmSync(join(reportDir, name), { force: true });
  const plotlyRef = opts.externalPlotly ? { src: relative(run.dir, writePlotlyAsset(dirname(run.dir))).split("\\").join("/") } : { inline: plotlySource() };
  if (opts.externalPlotly) files.push(join(run.dir, plotlyRef.src as string));
  const model = buildModel({
    run,
    summaries,
    status,
    topN,
    curves,
    price,
    curvesNote,
    maxCurvePoints: maxPoints,
    files: files.map((f) => relative(run.dir, f).split("\\").join("/")),
    now: generated,
    pareto,
  });
  const index = join(run.dir, INDEX_FILE);
  writeFileAtomic(index, renderPage(model, plotlyRef));
  files.push(index);
  return { runDir: run.dir, reportDir, index, files, status, trials: done, curves: curves?.length ?? 0, warnings, ms: performance.now() - started };
}

/**
 * The runner's `--report-frequency` hook: tables and the dashboard without curves (no bars
 * to load, no evaluations), the run marked as running.
 */
export function writeIntermediateReport(runDir: string, opts: Pick<ReportOptions, "topN" | "onWarning"> = {}): ReportResult {
  return generateReport(runDir, { ...opts, curves: false, running: true });
}

function json(x: unknown): string {
  return JSON.stringify(x, null, 2) + "\n"; // NaN and Infinity become null
}

/** Register the run's file strategies (for their curves), when the files are still the run's. */
function loadStrategyFiles(m: RunManifest, warn: (msg: string) => void): void {
  const files = new Map<string, string>();
  for (const c of Object.values(m.code?.strategies ?? {})) if (c.file !== undefined) files.set(c.file, c.sha256);
  for (const [file, sha] of files) {
    try {
      if (loadCodeFile(file).sha256 !== sha) warn(`${file} has changed since the run; its strategies' curves may not reproduce the trials`);
    } catch (e) {
      warn((e as Error).message);
    }
  }
}
