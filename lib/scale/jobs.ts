/** What a queue job carries between a coordinator and the workers: plain JSON. */
import type { EvalTask } from "../optimize/task";

export const JOB_NAME = "evaluate";

export interface EvaluationJob {
  v: 1;
  /** The run key (lib/scale/keys.ts runKey): where results go. */
  run: string;
  /** sha256 of the run's data and cost files (fetched through Redis when missing). */
  data_sha256: string;
  costs_sha256: string;
  /** The coordinator's code hash; a worker with another refuses the job. */
  code_hash: string;
  tasks: EvalTask[];
}

export interface EvaluationJobResult {
  evaluated: number;
  worker: string;
  /**
   * Wall ms from handing the job's tasks to the worker's pool to their results: with one job
   * in flight, its evaluation (the rest of the job's time is the queue's); jobs in flight
   * together on one worker each count the time they wait for its threads.
   */
  eval_ms?: number;
}
