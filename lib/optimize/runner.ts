/**
 * The study runner: propose by replay, evaluate on the worker pool, append each finished
 * trial to the journal as soon as its chunk returns, checkpoint after every round.
 *
 * Resume = replay: read the journal (dropping a torn last line), rebuild every study's
 * history, and continue at the first incomplete batch; trials already in the journal
 * are never recomputed, so an interrupted run ends with exactly the trials of an
 * uninterrupted one.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadCostTable } from "../costs/load";
import { loadBars } from "../data/csv";
import { RunError, UsageError } from "../errors";
import { RUNS_DIR } from "../paths";
import { getStrategy } from "../strategies/registry";
import { dataPaths, normaliseSearch, type RunOptions, type SearchConfig } from "./config";
import type { StartEvaluator, TrialEvaluator } from "./backend";
import { EvaluatorPool, workerCount } from "./pool";
import { nextBatch, PIPELINE_LAG } from "./proposals";
import { createSampler } from "./samplers";
import { StudyState, type ParetoPoint } from "./study-state";
import { openRun, readManifest, type OpenedRun, type RunArgs, type RunCheckpoint, type TrialLine } from "./storage";
import { getObjective } from "./objectives";
import { runCode } from "./run-code";
import type { CodeRef } from "./storage/manifest";
import { planStudies, type BestTrial, type StudySpec } from "./study";
import type { EvalTask, TaskResult } from "./task";
import { loadCodeFile } from "./code-file";
import { codeOfStrategies } from "./strategy-code";

export interface Progress {
  /** Trials in the journal (this session and earlier ones). */
  done: number;
  total: number;
  /** Trials finished in this session, and the session's rate. */
  sessionDone: number;
  elapsedMs: number;
  rate: number;
  etaMs: number;
  best: Record<string, BestTrial | null>;
}

export interface RunHooks {
  onProgress?: (p: Progress) => void;
  /** Human-readable lines (resume notes, warnings); also written to the run log. */
  onLog?: (line: string) => void;
  /** Stop dispatching; finished trials and the checkpoint are written. */
  signal?: AbortSignal;
  /** Called every `reportFrequency` trials and at the end, off the hot path. */
  onReport?: (dir: string, final: boolean) => void | Promise<void>;
  /** Evaluate somewhere other than the local worker pool (e.g. lib/scale's Redis queue). */
  startEvaluator?: StartEvaluator;
}

/**
 * "complete_with_failures": every trial ran, but some failed (the strategy threw); their
 * errors are in the journal, and a resume with retryFailed evaluates them again.
 */
export type RunStatus = "complete" | "complete_with_failures" | "cancelled";

export interface RunOutcome {
  dir: string;
  name: string;
  status: RunStatus;
  resumed: boolean;
  /** Trials evaluated in this session. */
  newTrials: number;
  trials: TrialLine[];
  best: Record<string, BestTrial | null>;
  /** Multi-objective studies: their Pareto fronts (trials no other dominates), by study key. */
  pareto: Record<string, ParetoPoint[]>;
  studies: StudySpec[];
  search: SearchConfig;
  workers: number;
}

export async function runOptimization(options: RunOptions, hooks: RunHooks = {}): Promise<RunOutcome> {
  const log = (line: string) => {
    hooks.onLog?.(line);
    opened?.log(line);
  };
  let opened: OpenedRun | undefined;
  options = withSavedSettings(options);
  for (const f of [...(options.strategyFiles ?? []), ...(options.objectiveFiles ?? [])]) loadCodeFile(f);
  if (options.resumeFrom !== undefined) refuseUndefinedNotebookCode(options.resumeFrom);
  const search = normaliseSearch(options);
  const studies = planStudies(search.strategies, search.objectives, search.periods);
  const strategyCode = codeOfStrategies(search.strategies);
  const sampler = createSampler(search.sampler);
  const paths = dataPaths(options);
  const costs = loadCostTable(paths.costs);
  const bars = loadBars(paths.data, { onWarning: (w) => log(`warning: ${w}`) });
  const workers = workerCount(options.cpuFraction, options.maxWorkers);

  opened = await openRun({
    root: resolve(options.out ?? RUNS_DIR),
    name: options.name,
    resumeFrom: options.resumeFrom,
    search,
    studies: studies.map((s) => s.key),
    data: { path: paths.data, rows: bars.length },
    costs: { path: paths.costs },
    code: runCode(strategyCode, search.objectives),
    workers,
    cpuFraction: options.cpuFraction ?? 0.9,
    onLog: (l) => hooks.onLog?.(l),
  });
  const run = opened;
  let pool: TrialEvaluator | undefined;
  try {
    const states = new Map<string, StudyState>(studies.map((s) => [s.key, new StudyState(s, getStrategy(s.strategy))]));
    for (const line of run.trials) {
      const st = states.get(line.study);
      if (st === undefined) throw new RunError(`${run.journalPath}: trial ${line.id} belongs to study "${line.study}", which this run does not have`);
      st.record(line);
    }
    const total = studies.length * search.trials;
    const countDone = () => [...states.values()].reduce((n, st) => n + st.byId.size, 0);
    let done = countDone();
    if (run.resumed) log(`resuming ${run.dir}: ${done} of ${total} trials already done`);
    const retries = new Map<StudyState, EvalTask[]>();
    for (const st of states.values()) {
      const failed = [...st.lines.values()].filter((l) => l.state === "failed");
      if (failed.length === 0) continue;
      if (options.retryFailed) retries.set(st, failed.map((l) => st.taskOf(search, l.id, l.params)));
      else log(`${st.spec.key}: ${failed.length} failed trials stay failed (first error: ${failed[0].error ?? "no value"}); resume with --retry-failed to evaluate them again`);
    }
    if (retries.size > 0) log(`retrying ${[...retries.values()].reduce((n, t) => n + t.length, 0)} failed trials`);

    const started = Date.now();
    let sessionDone = 0;
    const progress = (): Progress => {
      const elapsedMs = Date.now() - started;
      const rate = elapsedMs > 0 ? (sessionDone * 1000) / elapsedMs : 0;
      const best: Record<string, BestTrial | null> = {};
      for (const [k, s] of states) best[k] = s.best;
      return { done, total, sessionDone, elapsedMs, rate, etaMs: rate > 0 ? ((total - done) / rate) * 1000 : Infinity, best };
    };
    hooks.onProgress?.(progress());

    const reportEvery = options.reportFrequency ?? 0;
    let lastReportAt = done;
    let reporting: Promise<void> = Promise.resolve();
    const pending = retries.size > 0 || [...states.values()].some((st) => nextBatch(st, search.batchSize, search.trials) !== null);
    if (pending && !hooks.signal?.aborted) {
      // Queue workers load strategies from their own registry: a user strategy cannot travel yet.
      if (hooks.startEvaluator && strategyCode.length > 0) throw new UsageError(`--redis evaluates built-in strategies only (not ${strategyCode.map((c) => c.name).join(", ")}); run this study without --redis`);
      pool = hooks.startEvaluator
        ? await hooks.startEvaluator({ bars, costs, workers, run: { dir: run.dir, name: run.name, created: run.manifest.created }, paths, signal: hooks.signal, onLog: log })
        : await EvaluatorPool.start(bars, costs, workers, strategyCode);
    }
    const activePool = pool;

    // Every study runs its own loop on the shared pool: no barrier between studies, and one
    // study's proposals overlap the others' evaluations. Within a study the loop is
    // pipelined: batch k+1 is proposed while batch k is evaluated (proposals.ts,
    // PIPELINE_LAG), each batch still a function of its own study's earlier ones.
    const studyLoop = async (st: StudyState) => {
      const onChunk = (tasks: EvalTask[]) => (results: TaskResult[]) => {
        const lines = results.map((r) => st.lineOf(tasks, r));
        run.append(lines);
        for (const l of lines) st.record(l);
        done = countDone();
        sessionDone += lines.length;
        hooks.onProgress?.(progress());
        if (reportEvery > 0 && done - lastReportAt >= reportEvery && hooks.onReport) {
          lastReportAt = done;
          const onReport = hooks.onReport;
          reporting = reporting.then(() => onReport(run.dir, false));
        }
      };
      // Failed trials asked to be retried (--retry-failed) go first.
      const retry = retries.get(st);
      if (retry !== undefined && retry.length > 0) {
        if (hooks.signal?.aborted || activePool === undefined) return;
        await activePool.evaluate(retry, onChunk(retry));
        run.writeCheckpoint(checkpointOf(states, search, done));
      }
      // The batch proposal step: batch k, proposed by replay (StudyState.planBatch).
      let k = nextBatch(st, search.batchSize, search.trials);
      let planned = k === null ? null : st.planBatch(sampler, search, k);
      // Pipelined (PIPELINE_LAG 1): batch k+1 is proposed from the trials before batch k, so
      // it is proposed and sent while batch k is evaluated: two batches in flight, and the
      // workers find the next one queued when they finish a chunk (no idle core at a batch's
      // end). Unpipelined (0): batch k+1 is proposed from batch k's results, so after them.
      let previous: Promise<unknown> | null = null;
      while (planned !== null && k !== null) {
        if (hooks.signal?.aborted || activePool === undefined) break;
        const { tasks, proposals } = planned;
        const evaluating = tasks.length > 0 ? activePool.evaluate(tasks, onChunk(tasks)) : Promise.resolve([]);
        // Awaited below (its error surfaces there); a failure while the batch before it is
        // still awaited must not count as an unhandled rejection meanwhile.
        evaluating.catch(() => undefined);
        k += 1;
        const more = k * search.batchSize < search.trials;
        if (PIPELINE_LAG > 0) {
          // threads.js sends the chunks from a setTimeout(0): let that run first.
          await new Promise((r) => setTimeout(r, 0));
          if (previous !== null) {
            // The batch before the one just sent is done: the next proposal needs every
            // trial before the one just sent.
            await previous;
            run.writeCheckpoint(checkpointOf(states, search, done));
          }
          previous = evaluating;
          planned = more ? st.planBatch(sampler, search, k, proposals) : null;
        } else {
          await evaluating;
          run.writeCheckpoint(checkpointOf(states, search, done));
          planned = more ? st.planBatch(sampler, search, k, proposals) : null;
        }
        // Let other studies' proposals and results interleave.
        await new Promise((r) => setImmediate(r));
      }
      if (previous !== null) {
        await previous;
        run.writeCheckpoint(checkpointOf(states, search, done));
      }
    };
    await Promise.all([...states.values()].map(studyLoop));
    await reporting;
    const cancelled = hooks.signal?.aborted === true && [...states.values()].some((st) => nextBatch(st, search.batchSize, search.trials) !== null);
    const trials: TrialLine[] = [];
    for (const st of states.values()) trials.push(...st.lines.values());
    const failed = trials.filter((t) => t.state === "failed");
    if (!cancelled && failed.length > 0) log(`${failed.length} of ${trials.length} trials failed (first error: ${failed[0].error ?? "no value"}); the run is complete_with_failures; resume with --retry-failed to evaluate them again`);
    run.writeCheckpoint(checkpointOf(states, search, done));
    // The resume command is said once, by the caller (CLI error line, notebook view).
    if (cancelled) log(`cancelled after ${done} of ${total} trials`);
    // A run that was already complete keeps its report: re-running a finished study returns at once.
    else if (hooks.onReport && (sessionDone > 0 || !existsSync(join(run.dir, "index.html")))) await hooks.onReport(run.dir, true);
    const best: Record<string, BestTrial | null> = {};
    for (const [k, s] of states) best[k] = s.best;
    trials.sort((a, b) => (a.study < b.study ? -1 : a.study > b.study ? 1 : a.id - b.id));
    return {
      dir: run.dir,
      name: run.name,
      status: cancelled ? "cancelled" : failed.length > 0 ? "complete_with_failures" : "complete",
      resumed: run.resumed,
      newTrials: sessionDone,
      trials,
      best,
      pareto: Object.fromEntries([...states].filter(([, st]) => st.spec.objectives.length > 1).map(([k, st]) => [k, st.paretoFront()])),
      studies,
      search,
      workers,
    };
  } finally {
    if (pool) await pool.close();
    run.close();
  }
}

function checkpointOf(states: Map<string, StudyState>, search: SearchConfig, done: number): RunCheckpoint {
  const studies: RunCheckpoint["studies"] = {};
  for (const [k, st] of states) {
    const next = nextBatch(st, search.batchSize, search.trials);
    studies[k] = { next_trial_id: next === null ? search.trials : next * search.batchSize, trials_done: st.byId.size, best: st.best };
  }
  return { trials_done: done, studies };
}

/** A run made from notebook code (no file) resumes only where that code is defined again: say so in one line. */
function refuseUndefinedNotebookCode(dir: string): void {
  if (!existsSync(resolve(dir, "manifest.json"))) return;
  const code = readManifest(dir).code;
  const kinds: [string, Record<string, { file?: string }> | undefined, (name: string) => unknown, string][] = [
    ["strategy", code?.strategies, getStrategy, "defineStrategy"],
    ["objective", code?.objectives, getObjective, "defineObjective"],
  ];
  for (const [kind, refs, lookUp, define] of kinds) {
    for (const [name, ref] of Object.entries(refs ?? {})) {
      if (ref.file !== undefined) continue;
      try {
        lookUp(name);
      } catch {
        throw new RunError(`${dir} was made with ${kind} "${name}" defined in a notebook or script (no file); run its ${define} again in that notebook or script to resume it there`);
      }
    }
  }
}

function filesOf(refs: Record<string, CodeRef> | undefined): string[] {
  return [...new Set(Object.values(refs ?? {}).flatMap((c) => (c.file !== undefined ? [c.file] : [])))];
}

/**
 * `--resume-from DIR` alone: take the search settings, data and costs from the run's
 * manifest; anything given explicitly still wins (and is checked against the manifest).
 */
function withSavedSettings(o: RunOptions): RunOptions {
  const given = Array.isArray(o.strategies) ? o.strategies.length > 0 : Boolean(o.strategies);
  if (o.resumeFrom === undefined || given) return o;
  if (!existsSync(resolve(o.resumeFrom, "manifest.json"))) throw new RunError(`${o.resumeFrom} is not a run directory (no manifest.json); pass the directory printed by stratlab optimize`);
  const m = readManifest(o.resumeFrom);
  const a = m.args as RunArgs & { abortDrawdown?: number | null };
  return {
    ...o,
    strategies: a.strategies,
    objectives: o.objectives ?? a.objectives,
    periods: o.periods ?? a.periods,
    trials: o.trials ?? a.trials,
    sampler: o.sampler ?? a.sampler,
    seed: o.seed ?? a.seed,
    batchSize: o.batchSize ?? a.batchSize,
    tradeSizes: o.tradeSizes ?? a.tradeSizes,
    abortDrawdown: o.abortDrawdown ?? a.abortDrawdown ?? undefined,
    data: o.data ?? m.data.path,
    costs: o.costs ?? m.costs.path,
    strategyFiles: o.strategyFiles ?? filesOf(m.code?.strategies),
    objectiveFiles: o.objectiveFiles ?? filesOf(m.code?.objectives),
  };
}
