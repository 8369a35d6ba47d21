import { CancelledError } from "../../errors";
import { MAIN_STUDY, runMainStudy } from "../../lab/main-study";
import { BOUNDS, workerBounds, num, str } from "../args";
import type { Command } from "../command";
import { ProgressReporter } from "../progress";
import { formatNumber, renderTable } from "../table";

export const mainCommand: Command = {
  name: "main",
  summary: "the main job (npm start): the default study on the bundled data, then its dashboard",
  usage: [
    "usage: stratlab main [--trials N] [--out DIR] [--max-workers N] [--cpu-fraction F] [--json]",
    "",
    `  strategies ${MAIN_STUDY.strategies.join(", ")}; objectives ${MAIN_STUDY.objectives.join(", ")};`,
    `  period ${MAIN_STUDY.periods.join(", ")}; ${MAIN_STUDY.trials} trials per study (${MAIN_STUDY.sampler}, seed ${MAIN_STUDY.seed}).`,
    `  Run name "${MAIN_STUDY.name}": running it again resumes the run, or reports it complete.`,
  ].join("\n"),
  options: {
    trials: { type: "string" },
    out: { type: "string" },
    "max-workers": { type: "string" },
    "cpu-fraction": { type: "string" },
  },
  async run(ctx) {
    const progress = new ProgressReporter("main");
    const { result, report } = await runMainStudy({
      trials: num(ctx.values, "trials", { int: true, min: 1, max: BOUNDS.trials }),
      out: str(ctx.values, "out"),
      maxWorkers: num(ctx.values, "max-workers", workerBounds()),
      cpuFraction: num(ctx.values, "cpu-fraction", { min: 0.01, max: 1 }),
      onProgress: (p) => progress.update({ done: p.done, total: p.total, rate: p.rate, etaMs: p.etaMs }),
      onLog: (line) => {
        progress.done();
        ctx.err(line);
      },
    });
    progress.done();
    const out = result.outcome;
    if (out.status === "cancelled") throw new CancelledError(`cancelled after ${out.trials.length} trials; run npm start again to resume`);
    if (out.newTrials === 0) ctx.out(`the main study is complete (${out.trials.length} trials); nothing to do`);
    const rows = out.studies.map((s) => {
      const b = out.best[s.key];
      const m = b ? out.trials.find((t) => t.study === s.key && t.id === b.id)?.results[0]?.periods[s.period] : undefined;
      return [s.strategy, s.objective, b ? formatNumber(b.value) : "", m ? formatNumber(m.total_return) : "", m ? formatNumber(m.max_drawdown) : "", b ? JSON.stringify(b.params) : ""];
    });
    ctx.out(renderTable(["strategy", "objective", "best", "return 1y", "max dd 1y", "params"], rows));
    ctx.out(`\nrun directory: ${out.dir}`);
    if (report) ctx.out(`dashboard: ${report.index}`);
    return { dir: out.dir, status: out.status, trials: out.trials.length, new_trials: out.newTrials, dashboard: report?.index ?? null, best: out.best };
  },
};
