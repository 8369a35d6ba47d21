/**
 * Deterministic proposals by replay. Batch k of a study (trial ids k*B .. k*B+B-1) is
 * proposed from the study's completed trials with id < k*B, in id order, and an RNG
 * derived from (seed, study, k). So the trials of a run depend only on the seed and the
 * configuration: not on the number of workers, the order results come back in, or how
 * often the run was interrupted and resumed.
 */
import { Rng } from "../random/rng";
import type { Sampler, TrialRecord } from "./samplers";
import type { Strategy, Params } from "../strategies/types";

export interface StudyHistory {
  /** Trials done so far, by id. */
  readonly byId: ReadonlyMap<number, TrialRecord>;
}

/** The first batch index with a missing trial (every earlier batch is complete). */
export function nextBatch(history: StudyHistory, batchSize: number, budget: number): number | null {
  for (let k = 0; k * batchSize < budget; k++) {
    const end = Math.min(budget, (k + 1) * batchSize);
    for (let id = k * batchSize; id < end; id++) if (!history.byId.has(id)) return k;
  }
  return null;
}

/**
 * The full batch k (always B proposals, so the trials of batch k do not depend on the
 * budget: raising --trials on resume continues exactly as a longer run would have).
 */
export function proposeBatch(
  sampler: Sampler,
  strategy: Strategy,
  history: StudyHistory,
  k: number,
  batchSize: number,
  seed: number,
  studyKey: string,
  totalTrials: number,
): Params[] {
  const firstId = k * batchSize;
  const past: TrialRecord[] = [];
  for (let id = 0; id < firstId; id++) {
    const t = history.byId.get(id);
    if (t === undefined) throw new Error(`internal: trial ${id} of ${studyKey} missing before batch ${k}`);
    past.push(t);
  }
  return sampler.propose({ strategy, history: past, firstId, count: batchSize, rng: Rng.derive(seed, studyKey, k), totalTrials, seed });
}
