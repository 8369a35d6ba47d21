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
import { RunError } from "../errors";
import { RUNS_DIR } from "../paths";
import { getStrategy } from "../strategies/registry";
import type { Params, Strategy } from "../strategies/types";
import { dataPaths, normaliseSearch, type RunOptions, type SearchConfig } from "./config";
import { EvaluatorPool, workerCount } from "./pool";
import { nextBatch, PIPELINE_LAG, proposeBatch } from "./proposals";
import { createSampler, type TrialRecord } from "./samplers";
import { openRun, readManifest, type OpenedRun, type RunArgs, type RunCheckpoint, type TrialLine } from "./storage";
import { planStudies, trialValue, type BestTrial, type StudySpec } from "./study";
import type { EvalTask, TaskResult } from "./task";

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
}

export interface RunOutcome {
  dir: string;
  name: string;
  status: "complete" | "cancelled";
  resumed: boolean;
  /** Trials evaluated in this session. */
  newTrials: number;
  trials: TrialLine[];
  best: Record<string, BestTrial | null>;
  studies: StudySpec[];
  search: SearchConfig;
  workers: number;
}

interface StudyState {
  spec: StudySpec;
  strategy: Strategy;
  byId: Map<number, TrialRecord>;
  best: BestTrial | null;
}

export async function runOptimization(options: RunOptions, hooks: RunHooks = {}): Promise<RunOutcome> {
  const log = (line: string) => {
    hooks.onLog?.(line);
    opened?.log(line);
  };
  let opened: OpenedRun | undefined;
  options = withSavedSettings(options);
  const search = normaliseSearch(options);
  const studies = planStudies(search.strategies, search.objectives, search.periods);
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
    workers,
    cpuFraction: options.cpuFraction ?? 0.9,
    onLog: (l) => hooks.onLog?.(l),
  });
  const run = opened;
  let pool: EvaluatorPool | undefined;
  try {
    const states = new Map<string, StudyState>(studies.map((s) => [s.key, { spec: s, strategy: getStrategy(s.strategy), byId: new Map(), best: null }]));
    for (const line of run.trials) {
      const st = states.get(line.study);
      if (st === undefined) throw new RunError(`${run.journalPath}: trial ${line.id} belongs to study "${line.study}", which this run does not have`);
      record(st, line);
    }
    const total = studies.length * search.trials;
    let done = run.trials.length;
    const trials: TrialLine[] = [...run.trials];
    if (run.resumed) log(`resuming ${run.dir}: ${done} of ${total} trials already done`);

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
    const pending = [...states.values()].some((st) => nextBatch(st, search.batchSize, search.trials) !== null);
    if (pending && !hooks.signal?.aborted) pool = await EvaluatorPool.start(bars, costs, workers);
    const activePool = pool;

    // Every study runs its own loop on the shared pool: no barrier between studies, and one
    // study's proposals overlap the others' evaluations. Within a study the loop is
    // pipelined: batch k+1 is proposed while batch k is evaluated (proposals.ts,
    // PIPELINE_LAG), each batch still a function of its own study's earlier ones.
    const studyLoop = async (st: StudyState) => {
      let k = nextBatch(st, search.batchSize, search.trials);
      let planned = k === null ? null : planBatch(st, sampler, search, k);
      while (planned !== null && k !== null) {
        if (hooks.signal?.aborted || activePool === undefined) return;
        const { tasks, proposals } = planned;
        const evaluating = activePool.evaluate(tasks, (results) => {
          const lines = results.map((r) => toLine(st, tasks, r));
          run.append(lines);
          for (const l of lines) {
            record(st, l);
            trials.push(l);
          }
          done += lines.length;
          sessionDone += lines.length;
          hooks.onProgress?.(progress());
          if (reportEvery > 0 && done - lastReportAt >= reportEvery && hooks.onReport) {
            lastReportAt = done;
            const onReport = hooks.onReport;
            reporting = reporting.then(() => onReport(run.dir, false));
          }
        });
        // Pipelined: propose the next batch while the workers evaluate this one. threads.js
        // sends the chunks from a setTimeout(0): let that run first, or the proposal would
        // delay it. (PIPELINE_LAG 0: the next batch needs this one's results, so after.)
        k += 1;
        const more = k * search.batchSize < search.trials;
        if (PIPELINE_LAG > 0) {
          await new Promise((r) => setTimeout(r, 0));
          planned = more ? planBatch(st, sampler, search, k, proposals) : null;
          await evaluating;
        } else {
          await evaluating;
          planned = more ? planBatch(st, sampler, search, k, proposals) : null;
        }
        run.writeCheckpoint(checkpointOf(states, search, done));
        // Let other studies' proposals and results interleave.
        await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all([...states.values()].map(studyLoop));
    await reporting;
    const cancelled = hooks.signal?.aborted === true && [...states.values()].some((st) => nextBatch(st, search.batchSize, search.trials) !== null);
    run.writeCheckpoint(checkpointOf(states, search, done));
    if (cancelled) log(`cancelled after ${done} of ${total} trials; resume with: --resume-from ${run.dir}`);
    // A run that was already complete keeps its report: re-running a finished study returns at once.
    else if (hooks.onReport && (sessionDone > 0 || !existsSync(join(run.dir, "index.html")))) await hooks.onReport(run.dir, true);
    const best: Record<string, BestTrial | null> = {};
    for (const [k, s] of states) best[k] = s.best;
    trials.sort((a, b) => (a.study < b.study ? -1 : a.study > b.study ? 1 : a.id - b.id));
    return {
      dir: run.dir,
      name: run.name,
      status: cancelled ? "cancelled" : "complete",
      resumed: run.resumed,
      newTrials: sessionDone,
      trials,
      best,
      studies,
      search,
      workers,
    };
  } finally {
    if (pool) await pool.close();
    run.close();
  }
}

/**
 * Batch k of the study minus trials already in the journal, and the full batch's
 * proposals (the next batch is proposed with them as pending trials).
 */
function planBatch(st: StudyState, sampler: ReturnType<typeof createSampler>, search: SearchConfig, k: number, previous?: readonly Params[]): { tasks: EvalTask[]; proposals: Params[] } {
  const proposals = proposeBatch(sampler, st.strategy, st, k, search.batchSize, search.seed, st.spec.key, search.trials, previous);
  const first = k * search.batchSize;
  const end = Math.min(search.trials, first + search.batchSize);
  const tasks: EvalTask[] = [];
  for (let id = first; id < end; id++) {
    if (st.byId.has(id)) continue;
    tasks.push({
      id,
      study: st.spec.key,
      strategy: st.spec.strategy,
      params: proposals[id - first],
      tradeSizes: search.tradeSizes,
      ...(search.abortDrawdown !== null ? { abortDrawdown: search.abortDrawdown } : {}),
    });
  }
  return { tasks, proposals };
}

function toLine(st: StudyState, tasks: EvalTask[], r: TaskResult): TrialLine {
  const task = tasks.find((t) => t.id === r.id && t.study === r.study) as EvalTask;
  const { value, state } = trialValue(st.spec, r);
  const line: TrialLine = {
    v: 1,
    id: r.id,
    study: r.study,
    params: task.params,
    value,
    state,
    results: r.results,
    started: new Date(r.started).toISOString(),
    finished: new Date(r.finished).toISOString(),
    worker: r.worker,
  };
  if (r.error !== undefined) line.error = r.error;
  return line;
}

function record(st: StudyState, line: TrialLine): void {
  st.byId.set(line.id, { id: line.id, params: line.params, value: line.value });
  if (line.value !== null && (st.best === null || line.value > st.best.value || (line.value === st.best.value && line.id < st.best.id))) {
    st.best = { id: line.id, value: line.value, params: line.params };
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
  };
}
