/**
 * One study's state, rebuilt by replaying its journal lines: the trials by id (the last
 * line of a trial wins: a retried failure), the best trial, and the two steps every loop
 * over a study takes: propose the next batch (by replay, proposals.ts) and turn an
 * evaluation into a journal line. The runner (optimize) and openStudy (ask/tell) share it.
 */
import type { Params, Strategy } from "../strategies/types";
import type { SearchConfig } from "./config";
import { getObjective } from "./objectives";
import { nextBatch, proposeBatch } from "./proposals";
import { paretoFront, type Sampler, type TrialRecord } from "./samplers";
import type { TrialLine } from "./storage";
import { trialValue, type BestTrial, type StudySpec } from "./study";
import type { EvalTask, TaskResult } from "./task";

/** A trial of a Pareto front: its values in the study's objective order, as recorded. */
export interface ParetoPoint {
  id: number;
  params: TrialLine["params"];
  values: number[];
}

export class StudyState {
  readonly byId = new Map<number, TrialRecord>();
  /** The last journal line of each trial. */
  readonly lines = new Map<number, TrialLine>();
  best: BestTrial | null = null;
  /** +1 / -1 per objective: samplers maximise, so a minimised objective is negated for them. */
  private readonly signs: number[];

  constructor(
    readonly spec: StudySpec,
    readonly strategy: Strategy,
  ) {
    this.signs = spec.objectives.map((o) => (getObjective(o).direction === "minimize" ? -1 : 1));
  }

  /** Replay one journal line. */
  record(line: TrialLine): void {
    this.lines.set(line.id, line);
    const rec: TrialRecord = { id: line.id, params: line.params, value: line.value };
    if (line.values !== undefined) {
      const vs = line.values;
      if (vs.every((v) => v !== null)) rec.values = vs.map((v, i) => (v as number) * this.signs[i]);
    }
    this.byId.set(line.id, rec);
    const v = line.value;
    if (v !== null && (this.best === null || v > this.best.value || (v === this.best.value && line.id < this.best.id))) {
      this.best = { id: line.id, value: v, params: line.params };
    }
  }

  /** Multi-objective studies: the trials no other trial dominates (raw values, by id); empty for a single objective. */
  paretoFront(): ParetoPoint[] {
    if (this.spec.objectives.length < 2) return [];
    return paretoFront([...this.byId.values()]).map((t) => {
      const line = this.lines.get(t.id) as TrialLine;
      return { id: t.id, params: line.params, values: line.values as number[] };
    });
  }

  /** The batch proposal step: the study's next batch, minus trials already recorded (empty when the study is done). */
  nextTasks(sampler: Sampler, search: SearchConfig): EvalTask[] {
    const k = nextBatch(this, search.batchSize, search.trials);
    return k === null ? [] : this.planBatch(sampler, search, k).tasks;
  }

  /**
   * Batch k: its tasks (minus trials already recorded) and the full batch's proposals, which
   * batch k+1 counts as pending trials. `previous`: batch k-1's proposals when the caller has
   * them (the pipelined runner); otherwise they are read from the journal or proposed again.
   */
  planBatch(sampler: Sampler, search: SearchConfig, k: number, previous?: readonly Params[]): { tasks: EvalTask[]; proposals: Params[] } {
    const proposals = proposeBatch(sampler, this.strategy, this, k, search.batchSize, search.seed, this.spec.key, search.trials, previous);
    const first = k * search.batchSize;
    const end = Math.min(search.trials, first + search.batchSize);
    const tasks: EvalTask[] = [];
    for (let id = first; id < end; id++) {
      if (this.byId.has(id)) continue;
      tasks.push(this.taskOf(search, id, proposals[id - first]));
    }
    return { tasks, proposals };
  }

  taskOf(search: SearchConfig, id: number, params: TrialLine["params"]): EvalTask {
    return {
      id,
      study: this.spec.key,
      strategy: this.spec.strategy,
      params,
      tradeSizes: search.tradeSizes,
      ...(search.abortDrawdown !== null ? { abortDrawdown: search.abortDrawdown } : {}),
    };
  }

  /** The journal line of an evaluated task. */
  lineOf(tasks: readonly EvalTask[], r: TaskResult): TrialLine {
    const task = tasks.find((t) => t.id === r.id && t.study === r.study) as EvalTask;
    const { value, values, state, error } = trialValue(this.spec, r, task.params);
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
    if (r.results[0]?.ruined === true && state === "complete") line.ruined = true;
    if (values !== undefined) line.values = values;
    if (r.error !== undefined || error !== undefined) line.error = r.error ?? error;
    return line;
  }
}
