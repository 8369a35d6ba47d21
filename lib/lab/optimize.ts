/**
 * The `optimize` verb shared by the CLI and notebooks. Re-running with the same run name
 * resumes that run (and returns at once when it is complete).
 */
import type { RunOptions } from "../optimize/config";
import { runOptimization, type Progress, type RunHooks, type RunOutcome } from "../optimize/runner";
import type { TrialLine } from "../optimize/storage";
import type { BestTrial, StudySpec } from "../optimize/study";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadDanfo } from "../data/frame";
import { formatError } from "../errors";
import { generateReport, writeIntermediateReport, writeRunIndex, type ReportResult } from "../report";
import { interruptOnSignals } from "./interrupt";
import type { StartEvaluator } from "../optimize/backend";
import { checkRedisUrl } from "../scale/redis";

/** The Redis queue as the run's evaluator (loaded only when asked for). */
function queueEvaluator(url: string, queue: string | undefined, trialsPerJob: number | undefined): StartEvaluator {
  checkRedisUrl(url);
  return (ctx) => {
    // Required here, not at the top: a local run never loads BullMQ.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RedisEvaluator } = require("../scale/coordinator") as typeof import("../scale/coordinator");
    // STRATLAB_NO_WORKER_NOTE_MS: how long without any worker before saying so (default 10 s).
    const note = Number(process.env.STRATLAB_NO_WORKER_NOTE_MS);
    return RedisEvaluator.start(ctx, { url, ...(queue !== undefined ? { queue } : {}), ...(trialsPerJob !== undefined ? { trialsPerJob } : {}), ...(note > 0 ? { noWorkerWarningMs: note } : {}) });
  };
}

export interface OptimizeOptions extends RunOptions {
  /** Progress callback (the notebook and the CLI pass their own displays). */
  onProgress?: (p: Progress) => void;
  onLog?: (line: string) => void;
  /** Custom report hook; by default tables and the dashboard are written (see `report`). */
  onReport?: RunHooks["onReport"];
  /** Write the report and dashboard at the end, and every `reportFrequency` trials (default true). */
  report?: boolean;
  /** Stop on Ctrl-C / SIGTERM / notebook interrupt (default true). */
  handleSignals?: boolean;
  signal?: AbortSignal;
  /**
   * Evaluate on `stratlab worker` processes through this Redis (redis://[:password@]host:port)
   * instead of the local pool; the run folder stays here (docs/scale-out.md).
   */
  redis?: string;
  /** The queue's name (default "stratlab-trials"); workers must take from the same one. */
  queue?: string;
  /** Trials per queue job (default 8): fewer round trips against finer load balancing. */
  trialsPerJob?: number;
}

/** A flat record per trial: identity, params, and the study period's metrics at the first trade size. */
export type TrialRecordRow = Record<string, string | number | boolean | null>;

export class OptimizeResult {
  constructor(
    readonly outcome: RunOutcome,
    /** The final report (tables, dashboard), when one was written. */
    readonly report: ReportResult | null = null,
  ) {}

  /** The HTML dashboard: written by this call, or already there (a run that was complete). */
  get dashboard(): string | null {
    if (this.report) return this.report.index;
    const index = join(this.outcome.dir, "index.html");
    return existsSync(index) ? index : null;
  }

  get dir(): string {
    return this.outcome.dir;
  }
  get status(): RunOutcome["status"] {
    return this.outcome.status;
  }
  get trials(): TrialLine[] {
    return this.outcome.trials;
  }
  get best(): Record<string, BestTrial | null> {
    return this.outcome.best;
  }
  get studies(): StudySpec[] {
    return this.outcome.studies;
  }
  /** Multi-objective studies' Pareto fronts, by study key. */
  get pareto(): RunOutcome["pareto"] {
    return this.outcome.pareto;
  }

  /** One flat row per trial (params prefixed `p_`), metrics of the study's period. */
  records(): TrialRecordRow[] {
    const byKey = new Map(this.outcome.studies.map((s) => [s.key, s]));
    return this.outcome.trials.map((t) => {
      const spec = byKey.get(t.study) as StudySpec;
      const row: TrialRecordRow = { study: t.study, strategy: spec.strategy, objective: spec.objective, period: spec.period, id: t.id, state: t.state, value: t.value };
      for (const [k, v] of Object.entries(t.params)) row[`p_${k}`] = v;
      const m = t.results[0]?.periods[spec.period];
      if (m) for (const [k, v] of Object.entries(m)) row[k] = v;
      return row;
    });
  }

  /** The same rows as a danfo DataFrame (danfo is loaded on first use). */
  dataFrame(): unknown {
    return new (loadDanfo().DataFrame)(this.records());
  }

  /** The n best trials of a study (default: the first), by value. */
  top(n = 10, study = this.outcome.studies[0]?.key): TrialLine[] {
    return this.outcome.trials
      .filter((t) => t.study === study && t.value !== null)
      .sort((a, b) => (b.value as number) - (a.value as number) || a.id - b.id)
      .slice(0, n);
  }
}

/** An AbortSignal that fires when any of the given ones does. */
function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const list = signals.filter((s): s is AbortSignal => s !== undefined);
  if (list.length <= 1) return list[0];
  const c = new AbortController();
  for (const s of list) {
    if (s.aborted) c.abort(s.reason);
    else s.addEventListener("abort", () => c.abort(s.reason), { once: true });
  }
  return c.signal;
}

export async function optimize(options: OptimizeOptions): Promise<OptimizeResult> {
  // tslab runs the synchronous start of a cell with SIGINT listeners taken away; a listener
  // added then breaks its interrupt handling (the next interrupt kills the kernel). One
  // event-loop turn first, so ours is added after the cell's synchronous start.
  await new Promise((r) => setImmediate(r));
  const interrupt = options.handleSignals === false ? null : interruptOnSignals((sig) => options.onLog?.(`${sig}: finishing in-flight trials, then stopping`));
  const signal = anySignal([options.signal, interrupt?.signal]);
  let finalReport: ReportResult | null = null;
  const onWarning = (w: string) => options.onLog?.(`report: ${w}`);
  const onReport: RunHooks["onReport"] =
    options.onReport ??
    (options.report === false
      ? undefined
      : (dir, final) => {
          if (final) finalReport = generateReport(dir, { onWarning });
          else writeIntermediateReport(dir, { onWarning });
        });
  try {
    const startEvaluator = options.redis === undefined ? undefined : queueEvaluator(options.redis, options.queue, options.trialsPerJob);
    const outcome = await runOptimization(options, { onProgress: options.onProgress, onLog: options.onLog, onReport, signal, startEvaluator });
    // The run index (reports/index.html) lists this run from now on; it is a view, so a
    // failure to write it is a warning, never the run's failure.
    if (options.report !== false && options.onReport === undefined) {
      try {
        writeRunIndex(dirname(outcome.dir));
      } catch (e) {
        onWarning(`run index not written: ${formatError(e)}`);
      }
    }
    return new OptimizeResult(outcome, finalReport);
  } finally {
    interrupt?.dispose();
  }
}

/** Continue the run in `dir` with its own settings (a larger `trials` budget may be given). */
export function resume(dir: string, options: Omit<OptimizeOptions, "resumeFrom" | "strategies"> = {}): Promise<OptimizeResult> {
  return optimize({ ...options, strategies: [], resumeFrom: dir });
}
