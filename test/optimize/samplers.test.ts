/** The sampler API and determinism by construction: proposals are a function of (seed, history). */
import { describe, expect, it } from "vitest";
import { ParamError } from "../../lib/errors";
import { Rng } from "../../lib/random/rng";
import { createSampler, SAMPLER_NAMES, type ProposeContext, type Sampler, type TrialRecord } from "../../lib/optimize/samplers";
import { rsiReversion } from "../../lib/strategies/rsi-reversion";
import { smaCross } from "../../lib/strategies/sma-cross";
import type { Strategy } from "../../lib/strategies/types";
import { rippleBowl, simulate } from "./samplers-fixtures";

const ALL = ["random", "tpe", "evolution", "grid", "nsga2"] as const;

function ctx(strategy: Strategy, history: readonly TrialRecord[], k: number, B = 8, seed = 1): ProposeContext {
  return { strategy, history, firstId: k * B, count: B, rng: Rng.derive(seed, "study", k), totalTrials: 200, seed };
}

describe("createSampler", () => {
  it("builds every named sampler", () => {
    expect([...SAMPLER_NAMES]).toEqual([...ALL]);
    for (const name of SAMPLER_NAMES) expect(createSampler(name).name).toBe(name);
  });

  it("rejects an unknown name with the list of names", () => {
    expect(() => createSampler("cmaes")).toThrow(ParamError);
    expect(() => createSampler("cmaes")).toThrow(/unknown sampler "cmaes"; available: random, tpe, evolution, grid/);
  });

  it("rejects unknown options and bad values, naming what is allowed", () => {
    expect(() => createSampler("tpe", { n_startup: 5 })).toThrow(/no option "n_startup"; its options are: n_startup_trials/);
    expect(() => createSampler("random", { seed: 1 })).toThrow(/takes no options/);
    expect(() => createSampler("tpe", { n_ei_candidates: 0 })).toThrow(/n_ei_candidates = 0; use an integer in \[1, 10000\]/);
    expect(() => createSampler("tpe", { multivariate: "yes" })).toThrow(/true or false/);
    expect(() => createSampler("evolution", { population: 1 })).toThrow(ParamError);
  });

  it("accepts options as command-line strings", () => {
    const tpe = createSampler("tpe", { n_startup_trials: "20", multivariate: "true" }) as Sampler & { options: { n_startup_trials: number; multivariate: boolean } };
    expect(tpe.options.n_startup_trials).toBe(20);
    expect(tpe.options.multivariate).toBe(true);
  });
});

describe("determinism", () => {
  // A history long enough that every sampler is past its random start-up.
  const study = simulate(createSampler("random"), smaCross, rippleBowl, { trials: 48, batch: 8, seed: 9 });

  for (const name of ALL) {
    it(`${name}: same seed and history give the same batch, in a fresh sampler and a reused one`, () => {
      const a = createSampler(name);
      const first = a.propose(ctx(smaCross, study.history, 6));
      expect(first).toHaveLength(8);
      // Reused instance (memos must not change results), and a fresh instance.
      expect(a.propose(ctx(smaCross, study.history, 6))).toEqual(first);
      expect(createSampler(name).propose(ctx(smaCross, study.history, 6))).toEqual(first);
    });

    it(`${name}: later trials and history order do not matter (only ids < firstId, by id)`, () => {
      const later: TrialRecord[] = [
        { id: 60, params: { fast: 12, slow: 150 }, value: 1 },
        { id: 48, params: { fast: 13, slow: 140 }, value: 0.99 },
      ];
      const shuffled = Rng.derive(4).shuffle([...study.history, ...later]);
      expect(createSampler(name).propose(ctx(smaCross, shuffled, 6))).toEqual(createSampler(name).propose(ctx(smaCross, study.history, 6)));
    });

    it(`${name}: a different batch gives different proposals`, () => {
      const s = createSampler(name);
      const k6 = s.propose(ctx(smaCross, study.history, 6));
      const other = name === "grid" ? s.propose(ctx(smaCross, study.history, 7)) : s.propose({ ...ctx(smaCross, study.history, 6), rng: Rng.derive(1, "study", 7) });
      expect(other).not.toEqual(k6);
    });
  }

  for (const name of ALL) {
    it(`${name}: replaying the journal reproduces every batch (resume needs no sampler state)`, () => {
      const original = simulate(createSampler(name), rsiReversion, (p) => -Math.abs((p.lower as number) - 31) - Math.abs((p.upper as number) - 72), { trials: 96, batch: 8, seed: 3 });
      // Replay each batch with a fresh sampler from the journal alone; batches out of order.
      for (const k of [11, 0, 5, 3, 8, 1]) {
        const past = original.history.filter((t) => t.id < k * 8);
        const replayed = createSampler(name).propose({ strategy: rsiReversion, history: past, firstId: k * 8, count: 8, rng: Rng.derive(3, "study", k), totalTrials: 96, seed: 3 });
        expect(replayed).toEqual(original.batches[k]);
      }
    });
  }

  it("proposals do not depend on the order results came back in", () => {
    // Two workers finishing in different orders produce the same journal by id.
    const s = createSampler("tpe");
    const byArrival = [...study.history].reverse();
    expect(s.propose(ctx(smaCross, byArrival, 6))).toEqual(s.propose(ctx(smaCross, study.history, 6)));
  });

  it("tpe and evolution use the history: a different history gives a different batch", () => {
    const flipped = study.history.map((t) => ({ ...t, value: t.value === null ? null : -t.value }));
    for (const name of ["tpe", "evolution"] as const) {
      expect(createSampler(name).propose(ctx(smaCross, flipped, 6))).not.toEqual(createSampler(name).propose(ctx(smaCross, study.history, 6)));
    }
  });
});
