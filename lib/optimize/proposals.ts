/**
 * Deterministic proposals by replay. Batch k of a study (trial ids k*B .. k*B+B-1) is
 * proposed from the study's completed trials with id < (k-1)*B, in id order, plus the
 * parameters of batch k-1 as pending trials (no value yet: samplers count them as bad,
 * like TPE's constant liar, and never repeat them), and an RNG derived from (seed, study,
 * k). So batch k+1 can be proposed while batch k is evaluated (pipelining, PIPELINE_LAG),
 * and the trials of a run still depend only on the seed and the configuration: not on
 * the number of workers, the order results come back in, or how often the run was
 * interrupted and resumed.
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
 * Batches between a batch and the newest results it is proposed from: 1 lets the runner
 * propose batch k+1 while batch k is evaluated (docs/samplers.md, "Pipelining"); 0 is the
 * unpipelined scheme of before (every proposal sees the previous batch's results).
 */
export const PIPELINE_LAG: 0 | 1 = 1;

/**
 * The full batch k (always B proposals, so the trials of batch k do not depend on the
 * budget: raising --trials on resume continues exactly as a longer run would have).
 * `previous`: batch k-1's proposals when the caller has them (the runner, while batch k-1
 * is in flight); otherwise they come from the history, or are proposed again. `lag` 0
 * gives the unpipelined proposals of before (for the efficiency bench's comparison).
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
  previous?: readonly Params[],
  lag: 0 | 1 = PIPELINE_LAG,
): Params[] {
  const firstId = k * batchSize;
  const known = Math.max(0, k - lag) * batchSize;
  const past: TrialRecord[] = [];
  for (let id = 0; id < known; id++) {
    const t = history.byId.get(id);
    if (t === undefined) throw new Error(`internal: trial ${id} of ${studyKey} missing before batch ${k}`);
    past.push(t);
  }
  if (known < firstId) {
    let pending = previous;
    if (pending === undefined) {
      const fromJournal: Params[] = [];
      for (let id = known; id < firstId && fromJournal.length === id - known; id++) {
        const t = history.byId.get(id);
        if (t !== undefined) fromJournal.push(t.params);
      }
      pending = fromJournal.length === firstId - known ? fromJournal : proposeBatch(sampler, strategy, history, k - 1, batchSize, seed, studyKey, totalTrials, undefined, lag);
    }
    for (let id = known; id < firstId; id++) past.push({ id, params: pending[id - known], value: null });
  }
  return sampler.propose({ strategy, history: past, firstId, count: batchSize, rng: Rng.derive(seed, studyKey, k), totalTrials, seed });
}
