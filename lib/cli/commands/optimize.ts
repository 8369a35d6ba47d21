import { tradeSizeWarnings } from "../../costs/cost-table";
import { loadCostTable } from "../../costs/load";
import { CancelledError, UsageError } from "../../errors";
import { DEFAULT_COSTS } from "../../paths";
import { optimize, type OptimizeOptions } from "../../lab/optimize";
import { PERIOD_KEYS } from "../../engine/periods";
import { objectiveNames } from "../../optimize/objectives";
import { loadCodeFile } from "../../optimize/code-file";
import { BOUNDS, list, workerBounds, num, numList, required, str } from "../args";
import type { Command } from "../command";
import { ensureCosts } from "./costs";
import { ProgressReporter } from "../progress";
import { formatNumber, renderTable } from "../table";

/** Exit code of a run that completed with failed trials (docs/cli.md). */
export const EXIT_WITH_FAILURES = 3;

export const optimizeCommand: Command = {
  name: "optimize",
  summary: "search strategy parameters on a worker pool; resumable after any interruption",
  usage: [
    "usage: stratlab optimize --strategy NAME[,NAME...] [--objective mar[,utility,...]] [--period 1y[,90d,...]]",
    "                         [--trials 200] [--sampler tpe|random|evolution|grid|nsga2] [--seed 1] [--name N]",
    "                         [--out DIR] [--resume-from DIR] [--max-workers N] [--cpu-fraction 0.9]",
    "                         [--report-frequency N] [--trade-size N[,N...]] [--batch-size 16]",
    "                         [--abort-drawdown F] [--data FILE] [--costs FILE] [--json]",
    "                         [--strategy-file FILE.ts|.js] [--objective-file FILE.ts|.js] [--retry-failed]",
    "                         [--redis redis://[:PASSWORD@]HOST:6379 [--queue NAME] [--trials-per-job 8]]",
    "",
    `  objectives: ${objectiveNames().join(", ")}`,
    "  (a/b: one multi-objective study of a and b, NSGA-II by default; minimised ones, such as",
    "  max_drawdown, only there; --objective-file adds your own)",
    `  periods:    ${PERIOD_KEYS.join(", ")}`,
    "  One study per strategy x objective x period; --trials is per study.",
    "  --name N resumes the latest run named N when there is one (same settings required).",
    "  Ctrl-C stops after the trials in flight; resume with --resume-from DIR.",
    "  The run directory gets trials.jsonl, report/ (CSV, JSON) and index.html (the dashboard);",
    "  --report-frequency N also rewrites them every N trials. --no-report skips them.",
    "  --strategy-file FILE[,FILE] registers the strategies the file exports (docs/api.md); without",
    "  --strategy, every one of them is optimised. A run where some trials failed (the strategy threw)",
    `  ends complete_with_failures, exit code ${EXIT_WITH_FAILURES}; --retry-failed on resume evaluates those again.`,
    "  --redis URL evaluates on `stratlab worker` processes (any machine reaching that Redis);",
    "  the run folder, journal and report stay here; same seed, same trials (docs/scale-out.md).",
  ].join("\n"),
  options: {
    strategy: { type: "string" },
    objective: { type: "string" },
    period: { type: "string" },
    trials: { type: "string" },
    sampler: { type: "string" },
    seed: { type: "string" },
    name: { type: "string" },
    out: { type: "string" },
    "resume-from": { type: "string" },
    "max-workers": { type: "string" },
    "cpu-fraction": { type: "string" },
    "report-frequency": { type: "string" },
    "trade-size": { type: "string" },
    "batch-size": { type: "string" },
    "abort-drawdown": { type: "string" },
    data: { type: "string" },
    costs: { type: "string" },
    "no-report": { type: "boolean" },
    "strategy-file": { type: "string" },
    "objective-file": { type: "string" },
    "retry-failed": { type: "boolean" },
    redis: { type: "string" },
    queue: { type: "string" },
    "trials-per-job": { type: "string" },
  },
  async run(ctx) {
    const v = ctx.values;
    const resumeFrom = str(v, "resume-from");
    const strategyFiles = list(v, "strategy-file");
    const fromFiles = (strategyFiles ?? []).flatMap((f) => {
      const loaded = loadCodeFile(f);
      if (loaded.strategies.length === 0) throw new UsageError(`${f} exports no strategy; export the result of defineStrategy (docs/api.md)`);
      return loaded.strategies;
    });
    const strategies = list(v, "strategy") ?? fromFiles;
    // With --resume-from alone, the run's own settings are used.
    if (!resumeFrom && strategies.length === 0) required(v, "strategy", "e.g. --strategy sma_cross");
    // A resumed run uses the cost table its manifest names; a new one may fetch a missing table.
    if (!resumeFrom) await ensureCosts(str(v, "costs") ?? DEFAULT_COSTS);
    const progress = new ProgressReporter("optimize");
    const tradeSizes = numList(v, "trade-size");
    const options: OptimizeOptions = {
      strategies,
      objectives: list(v, "objective"),
      periods: list(v, "period"),
      trials: num(v, "trials", { int: true, min: 1, max: BOUNDS.trials }),
      sampler: str(v, "sampler"),
      seed: num(v, "seed", { int: true, min: -BOUNDS.seed, max: BOUNDS.seed }),
      name: str(v, "name"),
      out: str(v, "out"),
      resumeFrom,
      maxWorkers: num(v, "max-workers", workerBounds()),
      cpuFraction: num(v, "cpu-fraction", { min: 0.01, max: 1 }),
      reportFrequency: num(v, "report-frequency", { int: true, min: 0, max: BOUNDS.reportFrequency }),
      tradeSizes,
      batchSize: num(v, "batch-size", { int: true, min: 1, max: BOUNDS.batchSize }),
      abortDrawdown: num(v, "abort-drawdown", { min: 0.0001, max: 1 }),
      data: str(v, "data"),
      costs: str(v, "costs"),
      report: v["no-report"] !== true,
      redis: str(v, "redis"),
      queue: str(v, "queue"),
      trialsPerJob: num(v, "trials-per-job", { int: true, min: 1, max: 10_000 }),
      strategyFiles,
      objectiveFiles: list(v, "objective-file"),
      retryFailed: v["retry-failed"] === true,
      onProgress: (p) => {
        const bestVals = Object.values(p.best).filter((b) => b !== null);
        const note = bestVals.length ? `best ${formatNumber(Math.max(...bestVals.map((b) => b!.value)))}` : undefined;
        progress.update({ done: p.done, total: p.total, rate: p.rate, etaMs: p.etaMs, note });
      },
      onLog: (line) => {
        progress.done();
        ctx.err(line);
      },
    };
    // Valid but rarely meant: sizes above the largest cost bucket (said once every flag is read).
    const warnings = tradeSizes ? tradeSizeWarnings(loadCostTable(str(v, "costs") ?? DEFAULT_COSTS), tradeSizes) : [];
    for (const w of warnings) ctx.err(`warning: ${w}`);
    const result = await optimize(options);
    progress.done();
    const out = result.outcome;
    if (out.status === "cancelled") {
      const resume = `stratlab optimize --resume-from ${out.dir}`;
      throw new CancelledError(`cancelled after ${out.trials.length} trials (${out.newTrials} this session); resume with: ${resume}`, { dir: out.dir, trials: out.trials.length, new_trials: out.newTrials, resume_command: resume });
    }
    const rows = out.studies.map((s) => {
      const b = out.best[s.key];
      return [s.strategy, s.objective, s.period, b ? b.id : null, b ? b.value : null, b ? JSON.stringify(b.params) : out.pareto[s.key] ? "(Pareto front below)" : "(no completed trial)"];
    });
    ctx.out(renderTable(["strategy", "objective", "period", "trial", "best", "params"], rows));
    for (const [key, front] of Object.entries(out.pareto)) {
      ctx.out(`\nPareto front of ${key} (${front.length} trials):`);
      ctx.out(renderTable(["trial", ...key.split("|")[1].split("/"), "params"], front.map((p) => [p.id, ...p.values, JSON.stringify(p.params)])));
    }
    ctx.out(`\n${out.trials.length} trials (${out.newTrials} new) with ${out.workers} workers; run directory: ${out.dir}`);
    const failed = out.trials.filter((t) => t.state === "failed").length;
    if (out.status === "complete_with_failures") {
      ctx.out(`${failed} trials failed (errors in ${out.dir}/trials.jsonl); resume with --retry-failed to evaluate them again`);
      ctx.exitCode = EXIT_WITH_FAILURES;
    }
    if (result.dashboard) ctx.out(`dashboard: ${result.dashboard}`);
    return {
      dir: out.dir,
      name: out.name,
      status: out.status,
      resumed: out.resumed,
      trials: out.trials.length,
      failed_trials: failed,
      new_trials: out.newTrials,
      workers: out.workers,
      dashboard: result.dashboard,
      search: out.search,
      studies: out.studies.map((s) => ({ ...s, best: out.best[s.key], ...(out.pareto[s.key] ? { pareto_front: out.pareto[s.key] } : {}) })),
      warnings,
    };
  },
};

