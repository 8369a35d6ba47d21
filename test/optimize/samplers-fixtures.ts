/** Shared by the sampler tests: a study loop with synthetic objectives, and small spaces. */
import { Rng } from "../../lib/random/rng";
import type { Sampler, TrialRecord } from "../../lib/optimize/samplers";
import type { Params, Strategy } from "../../lib/strategies/types";

export interface SimulatedStudy {
  history: TrialRecord[];
  /** The proposals of each batch, as returned. */
  batches: Params[][];
}

/**
 * Run a study the way the optimiser does: batch k proposed from trials < k*B with
 * Rng.derive(seed, "study", k); `objective` returns null for a failed trial.
 */
export function simulate(
  sampler: Sampler,
  strategy: Strategy,
  objective: (p: Params) => number | null,
  opts: { trials: number; batch: number; seed: number },
): SimulatedStudy {
  const history: TrialRecord[] = [];
  const batches: Params[][] = [];
  for (let k = 0; k * opts.batch < opts.trials; k++) {
    const firstId = k * opts.batch;
    const proposals = sampler.propose({
      strategy,
      history: history.slice(),
      firstId,
      count: opts.batch,
      rng: Rng.derive(opts.seed, "study", k),
      totalTrials: opts.trials,
      seed: opts.seed,
    });
    batches.push(proposals);
    proposals.forEach((params, i) => {
      if (firstId + i < opts.trials) history.push({ id: firstId + i, params, value: objective(params) });
    });
  }
  return { history, batches };
}

const unitLog = (v: number, lo: number, hi: number) => (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));

/**
 * A smooth objective over sma_cross's space with its maximum 1 at fast = 12, slow = 150:
 * an anisotropic bowl in log coordinates with a cosine ripple (local optima) on top.
 */
export function rippleBowl(p: Params): number {
  const a = unitLog(p.fast as number, 2, 500) - unitLog(12, 2, 500);
  const b = unitLog(p.slow as number, 3, 2000) - unitLog(150, 3, 2000);
  return 1 - 4 * (a * a + 0.5 * b * b) + 0.05 * (Math.cos(25 * a) * Math.cos(25 * b) - 1);
}

/** Best at the constraint's edge (fast just below slow): candidates often break fast < slow. */
export function edgeHugging(p: Params): number {
  return -Math.abs(Math.log(p.slow as number) - Math.log(p.fast as number) - 0.05) - 0.1 * Math.abs(Math.log(p.fast as number) - 4);
}

/** One parameter of each kind, no constraints: distribution checks. */
export const probeSpace: Strategy = {
  name: "probe",
  description: "test space",
  params: [
    { name: "lr", type: "float", low: 1e-4, high: 1, log: true, default: 1e-2 },
    { name: "n", type: "int", low: 1, high: 1000, log: true, default: 10 },
    { name: "mode", type: "choice", choices: ["a", "b", "c"], default: "a" },
    { name: "x", type: "float", low: 0, high: 1, step: 0.25, default: 0.5 },
    { name: "k", type: "int", low: 0, high: 4, default: 2 },
  ],
  constraints: [],
  signal: () => undefined,
};

/** 3 x 2 = 6 points, one constraint removing one: exhaustion. */
export const tinySpace: Strategy = {
  name: "tiny",
  description: "test space",
  params: [
    { name: "a", type: "int", low: 1, high: 3, default: 1 },
    { name: "flag", type: "choice", choices: [true, false], default: true },
  ],
  constraints: [{ description: "not (a = 3 and flag)", check: (p) => !(p.a === 3 && p.flag === true) }],
  signal: () => undefined,
};

/** Three ordered lengths and a narrow band: rejection alone rarely succeeds (about 1 draw in 300). */
export const needleSpace: Strategy = {
  name: "needle",
  description: "test space",
  params: [
    { name: "a", type: "int", low: 1, high: 1000, default: 10 },
    { name: "b", type: "int", low: 1, high: 1000, default: 11 },
    { name: "c", type: "int", low: 1, high: 1000, default: 20 },
  ],
  constraints: [
    { description: "a < b < c", check: (p) => (p.a as number) < (p.b as number) && (p.b as number) < (p.c as number) },
    { description: "b - a <= 3", check: (p) => (p.b as number) - (p.a as number) <= 3 },
  ],
  signal: () => undefined,
};

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Pearson chi-square of observed counts against expected probabilities. */
export function chiSquare(counts: readonly number[], probs: readonly number[]): number {
  const n = counts.reduce((s, c) => s + c, 0);
  return counts.reduce((s, c, i) => s + (c - n * probs[i]) ** 2 / (n * probs[i]), 0);
}
