/**
 * TPE's bounded proposal cost: the bad group is modelled from at most max_bad_trials
 * trials (the most recent), the good group from the whole history; below the cap nothing
 * changes, above it old bad trials no longer matter, and proposals stay a pure function
 * of the history and the seed.
 */
import { describe, expect, it } from "vitest";
import { createSampler, type TrialRecord } from "../../lib/optimize/samplers";
import { DEFAULT_MAX_BAD_TRIALS, splitTrials } from "../../lib/optimize/samplers/tpe";
import { Rng } from "../../lib/random/rng";
import { smaCross } from "../../lib/strategies/sma-cross";
import { rippleBowl, simulate } from "./samplers-fixtures";

function history(n: number, seed: number): TrialRecord[] {
  return simulate(createSampler("random"), smaCross, rippleBowl, { trials: n, batch: 16, seed }).history;
}

const propose = (options: Record<string, unknown>, past: readonly TrialRecord[], k = 3) =>
  createSampler("tpe", options).propose({ strategy: smaCross, history: past, firstId: past.length, count: 16, rng: Rng.derive(k, "study", past.length), totalTrials: 10_000 });

describe("TPE with a bounded bad group", () => {
  it("defaults to 128 bad trials and validates the option", () => {
    expect(DEFAULT_MAX_BAD_TRIALS).toBe(128);
    expect(() => createSampler("tpe", { max_bad_trials: 0 })).toThrow(/max_bad_trials = 0/);
  });

  it("changes nothing while the bad group fits the cap", () => {
    const past = history(150, 1); // 140 trials: 14 good, 126 bad, within the default 128
    expect(propose({}, past.slice(0, 140))).toEqual(propose({ max_bad_trials: 1_000_000 }, past.slice(0, 140)));
  });

  it("ignores bad trials older than the cap, but keeps old good ones", () => {
    const past = history(400, 2);
    const { good, bad } = splitTrials(past);
    const cap = 100;
    const oldBad = new Set(bad.slice(0, bad.length - cap).map((t) => t.id));
    // Move every old bad trial elsewhere (still bad: value unchanged): no effect.
    const moved = past.map((t) => (oldBad.has(t.id) ? { ...t, params: { fast: 2, slow: 3 } } : t));
    expect(propose({ max_bad_trials: cap }, moved)).toEqual(propose({ max_bad_trials: cap }, past));
    // Without the cap they do matter.
    expect(propose({ max_bad_trials: 1_000_000 }, moved)).not.toEqual(propose({ max_bad_trials: 1_000_000 }, past));
    // The good group comes from the whole history: the best trial may be among the oldest.
    expect(good.some((t) => t.id < past.length - cap - good.length)).toBe(true);
  });

  it("picks the same good group as a full sort (ties: lower id first)", () => {
    const past = history(600, 3).map((t, i) => (i % 7 === 0 ? { ...t, value: 0.5 } : i % 11 === 0 ? { ...t, value: null } : t));
    const ranked = past.filter((t) => t.value !== null).sort((x, y) => (y.value as number) - (x.value as number) || x.id - y.id);
    expect(splitTrials(past).good.map((t) => t.id)).toEqual(ranked.slice(0, 25).map((t) => t.id).sort((a, b) => a - b));
  });

  it("is deterministic on a long history", () => {
    const past = history(2000, 4);
    expect(propose({}, past, 9)).toEqual(propose({}, past, 9));
  });
});
