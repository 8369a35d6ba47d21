/**
 * Pipelined proposals (proposals.ts, PIPELINE_LAG = 1): batch k is proposed from the
 * results of batches < k-1 and the parameters of batch k-1 as pending trials, so the
 * runner can propose it while batch k-1 is evaluated. The proposal is the same whether
 * batch k-1's parameters are passed in, read from the journal, or proposed again, and it
 * does not depend on batch k-1's values; it never repeats a pending trial.
 */
import { describe, expect, it } from "vitest";
import { PIPELINE_LAG, proposeBatch } from "../../lib/optimize/proposals";
import { createSampler, type TrialRecord } from "../../lib/optimize/samplers";
import { paramKey } from "../../lib/optimize/samplers/space";
import { smaCross } from "../../lib/strategies/sma-cross";
import { rippleBowl } from "./samplers-fixtures";

const B = 8;

/** A study run batch by batch through proposeBatch (what the runner does), values from rippleBowl. */
function study(sampler: string, batches: number): Map<number, TrialRecord> {
  const s = createSampler(sampler);
  const byId = new Map<number, TrialRecord>();
  for (let k = 0; k < batches; k++) {
    proposeBatch(s, smaCross, { byId }, k, B, 5, "st", 1000).forEach((params, i) => byId.set(k * B + i, { id: k * B + i, params, value: rippleBowl(params) }));
  }
  return byId;
}

describe("pipelined proposals", () => {
  it("lags one batch by default", () => expect(PIPELINE_LAG).toBe(1));

  for (const sampler of ["tpe", "evolution", "random"]) {
    it(`${sampler}: batch k depends on batch k-1's parameters, not on its values`, () => {
      const byId = study(sampler, 12);
      const k = 12;
      const s = createSampler(sampler);
      const base = proposeBatch(s, smaCross, { byId }, k, B, 5, "st", 1000);
      // Batch k-1's values changed: same proposals.
      const changed = new Map(byId);
      for (let id = (k - 1) * B; id < k * B; id++) changed.set(id, { ...byId.get(id)!, value: -5 });
      expect(proposeBatch(createSampler(sampler), smaCross, { byId: changed }, k, B, 5, "st", 1000)).toEqual(base);
      // Batch k-1 not in the history yet (in flight): passed in, or proposed again.
      const inFlight = new Map([...byId].filter(([id]) => id < (k - 1) * B));
      const previous = [...Array(B).keys()].map((i) => byId.get((k - 1) * B + i)!.params);
      expect(proposeBatch(createSampler(sampler), smaCross, { byId: inFlight }, k, B, 5, "st", 1000, previous)).toEqual(base);
      expect(proposeBatch(createSampler(sampler), smaCross, { byId: inFlight }, k, B, 5, "st", 1000)).toEqual(base);
      // Never a repeat of a pending (or earlier) trial.
      const seen = new Set([...byId.values()].map((t) => paramKey(smaCross, t.params)));
      for (const p of base) expect(seen.has(paramKey(smaCross, p))).toBe(false);
    });
  }
});
