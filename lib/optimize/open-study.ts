/**
 * Ask/tell (after Optuna's `study.ask()` / `study.tell()`): the sampler proposes, you
 * evaluate wherever you like (your own loop, a pool, another machine), and tell the study
 * the result. A study is a run directory with one study in it: the same manifest, journal,
 * determinism and resume as `optimize()`, whose runner drives the same StudyState.
 *
 * Determinism: trial k*B..k*B+B-1 (batch k, B = batchSize) is proposed from the trials
 * with lower ids only, so up to B trials can be out for evaluation at once; asking beyond
 * that before telling is refused. Given the same told values, the same trials come out as
 * with `optimize()` and the same settings, across sessions and after a crash: opening a
 * study of the same name again resumes it (trials asked and never told are asked again,
 * with the same params).
 */
import { resolve } from "node:path";
import { loadBars } from "../data/csv";
import type { PeriodKey } from "../engine/periods";
import { UsageError } from "../errors";
import { RUNS_DIR } from "../paths";
import { getStrategy } from "../strategies/registry";
import type { Params, Strategy } from "../strategies/types";
import { loadCodeFile } from "./code-file";
import { dataPaths, normaliseSearch, type SearchConfig } from "./config";
import { getObjective } from "./objectives";
import { nextBatch } from "./proposals";
import { createSampler, type Sampler } from "./samplers";
import { openRun, type OpenedRun, type TrialLine } from "./storage";
import { MULTI_SEPARATOR, planStudies, type BestTrial, type StudySpec } from "./study";
import { StudyState, type ParetoPoint } from "./study-state";
import { codeOfStrategies } from "./strategy-code";
import { runCode } from "./run-code";

export interface StudyOptions {
  /** Run name: opening the same name again resumes the study. */
  name: string;
  /** A strategy name ("sma_cross", "my_sma+regime") or a defineStrategy result. */
  strategy: string | Strategy;
  /** One objective, or several for one multi-objective study (default "mar"). */
  objectives?: string | string[];
  /** The period the built-in objectives read (default "1y"). */
  period?: PeriodKey;
  /** Default "tpe" for one objective, "nsga2" for several. */
  sampler?: string;
  seed?: number;
  /** Trial budget (default 1000; may grow when reopened). */
  trials?: number;
  batchSize?: number;
  tradeSizes?: number[];
  data?: string;
  costs?: string;
  /** Root folder of run directories (default reports/runs). */
  out?: string;
  strategyFiles?: string[];
  objectiveFiles?: string[];
}

/** A trial out for evaluation. */
export interface AskedTrial {
  readonly id: number;
  readonly study: string;
  readonly params: Params;
}

/** What to tell: the value (or one per objective), null when the trial has no value (pruned), or the Error that failed it. */
export type TellValue = number | readonly (number | null)[] | null | Error;

const DEFAULT_BUDGET = 1000;
/** Studies open in this process by root and name: opening one again (a notebook cell re-run) closes the older handle. */
const open = new Map<string, Study>();

export class Study {
  private readonly queue: AskedTrial[] = [];
  private readonly out = new Map<number, { trial: AskedTrial; asked: number }>();
  private closed = false;

  constructor(
    private readonly run: OpenedRun,
    private readonly state: StudyState,
    private readonly sampler: Sampler,
    readonly search: SearchConfig,
  ) {}

  get dir(): string {
    return this.run.dir;
  }
  get spec(): StudySpec {
    return this.state.spec;
  }
  /** The best trial of a single-objective study (null before one has a value, and for multi-objective studies: see paretoFront). */
  get best(): BestTrial | null {
    return this.state.best;
  }
  /** Multi-objective studies: the trials no other trial dominates, values as told. */
  get paretoFront(): ParetoPoint[] {
    return this.state.paretoFront();
  }
  /** Every recorded trial (the last line of each), by id. */
  get trials(): TrialLine[] {
    return [...this.state.lines.values()].sort((a, b) => a.id - b.id);
  }

  /** The next trial to evaluate. */
  ask(): AskedTrial {
    this.check();
    if (this.queue.length === 0) {
      const tasks = this.state.nextTasks(this.sampler, this.search).filter((t) => !this.out.has(t.id));
      if (tasks.length === 0) {
        if (nextBatch(this.state, this.search.batchSize, this.search.trials) === null) {
          throw new UsageError(`study ${this.spec.key} has used its budget of ${this.search.trials} trials; open it again with a larger trials`);
        }
        throw new UsageError(`tell the ${this.out.size} trials asked so far first: the next batch is proposed from them (batch size ${this.search.batchSize})`);
      }
      for (const t of tasks) this.queue.push({ id: t.id, study: t.study, params: t.params });
    }
    const trial = this.queue.shift() as AskedTrial;
    this.out.set(trial.id, { trial, asked: Date.now() });
    return trial;
  }

  /** Record an asked trial's outcome in the journal (durably, before returning). */
  tell(trial: AskedTrial, result: TellValue): TrialLine {
    this.check();
    const pending = this.out.get(trial?.id);
    if (pending === undefined) throw new UsageError(`trial ${String(trial?.id)} of ${this.spec.key} is not out for evaluation (never asked, or already told)`);
    const n = this.spec.objectives.length;
    const line: TrialLine = {
      v: 1,
      id: trial.id,
      study: this.spec.key,
      params: pending.trial.params,
      value: null,
      state: "complete",
      results: [],
      started: new Date(pending.asked).toISOString(),
      finished: new Date().toISOString(),
      worker: 0,
    };
    if (result instanceof Error) {
      line.state = "failed";
      line.error = result.message;
    } else if (result === null) {
      line.state = "pruned";
    } else {
      const values = typeof result === "number" ? [result] : [...result];
      if (values.length !== n) throw new UsageError(`study ${this.spec.key} has ${n} objective${n > 1 ? "s" : ""} (${this.spec.objectives.join(", ")}); tell ${n} value${n > 1 ? "s" : ""}, got ${values.length}`);
      for (const v of values) if (v !== null && (typeof v !== "number" || !Number.isFinite(v))) throw new UsageError(`tell a finite number or null, got ${v}`);
      if (values.some((v) => v === null)) line.state = "pruned";
      if (n === 1) line.value = values[0];
      else line.values = values;
    }
    this.run.append([line]);
    this.state.record(line);
    this.out.delete(trial.id);
    return line;
  }

  /** Write the checkpoint, close the journal and release the run's lock (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      const next = nextBatch(this.state, this.search.batchSize, this.search.trials);
      this.run.writeCheckpoint({
        trials_done: this.state.byId.size,
        studies: { [this.spec.key]: { next_trial_id: next === null ? this.search.trials : next * this.search.batchSize, trials_done: this.state.byId.size, best: this.state.best } },
      });
    } finally {
      this.run.close();
    }
  }

  private check(): void {
    if (this.closed) throw new UsageError(`study ${this.spec.key} is closed; open it again to continue`);
  }
}

export async function openStudy(o: StudyOptions): Promise<Study> {
  for (const f of [...(o.strategyFiles ?? []), ...(o.objectiveFiles ?? [])]) loadCodeFile(f);
  const strategyName = typeof o.strategy === "string" ? o.strategy : o.strategy?.name;
  if (typeof strategyName !== "string") throw new UsageError("openStudy needs a strategy: a name or a defineStrategy result");
  const objectives = o.objectives === undefined ? ["mar"] : typeof o.objectives === "string" ? o.objectives.split(MULTI_SEPARATOR) : [...o.objectives];
  for (const name of objectives) getObjective(name);
  const search = normaliseSearch({
    strategies: [strategyName],
    objectives: [objectives.join(MULTI_SEPARATOR)],
    periods: [o.period ?? "1y"],
    trials: o.trials ?? DEFAULT_BUDGET,
    sampler: o.sampler ?? (objectives.length > 1 ? "nsga2" : undefined),
    seed: o.seed,
    batchSize: o.batchSize,
    tradeSizes: o.tradeSizes,
  });
  const [spec] = planStudies(search.strategies, search.objectives, search.periods);
  const sampler = createSampler(search.sampler);
  const root = resolve(o.out ?? RUNS_DIR);
  const key = `${root}\u0000${o.name}`;
  open.get(key)?.close();
  const paths = dataPaths(o);
  const bars = loadBars(paths.data);
  const run = await openRun({
    root,
    name: o.name,
    search,
    studies: [spec.key],
    data: { path: paths.data, rows: bars.length },
    costs: { path: paths.costs },
    code: runCode(codeOfStrategies(search.strategies), search.objectives),
    workers: 1,
    cpuFraction: 1,
  });
  const state = new StudyState(spec, getStrategy(spec.strategy));
  for (const line of run.trials) state.record(line);
  const study = new Study(run, state, sampler, search);
  open.set(key, study);
  return study;
}
