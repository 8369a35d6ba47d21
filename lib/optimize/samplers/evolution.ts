/**
 * A genetic algorithm without a state of its own: the population is the best P trials of
 * the history, so elitism is implicit and a resume needs nothing but the journal.
 * Children: tournament selection of two parents, blend crossover (BLX-0.5) of numeric
 * genes on the unit axis (log-scaled where the parameter is), a parent's value for
 * choices, then Gaussian mutation whose width decays with the number of trials done.
 */
import type { ParamSpec, Params } from "../../strategies/types";
import type { Rng } from "../../random/rng";
import { fillBatch, hasValue, pastTrials, SeenKeys, type ProposeContext, type Sampler, type TrialRecord } from "./base";
import { SamplerOptions } from "./options";
import { fromUnit, sampleParam, sampleParams, toUnit } from "./space";

export interface EvolutionOptions {
  /** Size of the population: the best `population` trials so far; random until that many trials exist. */
  population: number;
  /** Contestants per tournament (selection pressure). */
  tournament: number;
  /** Probability that a gene mutates; 0 means 1 / (number of parameters). */
  mutation_prob: number;
  /** Mutation sigma on the unit axis at the start, and the floor it decays to. */
  sigma_start: number;
  sigma_end: number;
  /** Trials after which the sigma has moved half way from sigma_start to sigma_end. */
  sigma_half_life: number;
}

export const EVOLUTION_OPTION_NAMES = ["population", "tournament", "mutation_prob", "sigma_start", "sigma_end", "sigma_half_life"] as const;

export function evolutionOptions(given: Record<string, unknown>): EvolutionOptions {
  const o = new SamplerOptions("evolution", given, EVOLUTION_OPTION_NAMES);
  return {
    population: o.int("population", 16, 2, 100_000),
    tournament: o.int("tournament", 3, 1, 100),
    mutation_prob: o.number("mutation_prob", 0, 0, 1),
    sigma_start: o.number("sigma_start", 0.2, 0, 1),
    sigma_end: o.number("sigma_end", 0.02, 0, 1),
    sigma_half_life: o.number("sigma_half_life", 100, 0, 1e9, true),
  };
}

/** BLX-alpha: a child gene uniform on the parents' interval widened by alpha of its length on each side (Eshelman & Schaffer 1993). */
const BLEND_ALPHA = 0.5;

/** Fold a position back into [0, 1] by reflection at the ends. */
function reflect(u: number): number {
  const r = ((u % 2) + 2) % 2;
  return r > 1 ? 2 - r : r;
}

export class EvolutionSampler implements Sampler {
  readonly name = "evolution";
  private readonly seen = new SeenKeys();

  constructor(readonly options: EvolutionOptions = evolutionOptions({})) {}

  /** The mutation sigma after `n` trials: exponential decay from sigma_start towards sigma_end. */
  sigmaAfter(n: number): number {
    const { sigma_start, sigma_end, sigma_half_life } = this.options;
    return sigma_end + (sigma_start - sigma_end) * Math.pow(0.5, n / sigma_half_life);
  }

  propose(ctx: ProposeContext): Params[] {
    const { strategy, rng } = ctx;
    const past = pastTrials(ctx);
    const seen = this.seen.of(strategy, past);
    const P = this.options.population;
    const population = past.filter(hasValue).sort((x, y) => y.value - x.value || x.id - y.id).slice(0, P);
    if (past.length < P || population.length < 2) return fillBatch(ctx, seen, () => [sampleParams(strategy, rng)]);
    const sigma = this.sigmaAfter(past.length);
    const pm = this.options.mutation_prob > 0 ? this.options.mutation_prob : 1 / Math.max(1, strategy.params.length);
    return fillBatch(ctx, seen, () => {
      const a = this.select(population, rng);
      let b = this.select(population, rng);
      for (let i = 0; i < 3 && b === a; i++) b = this.select(population, rng);
      const child: Params = {};
      for (const spec of strategy.params) child[spec.name] = this.gene(spec, a.params, b.params, sigma, pm, rng);
      return [child];
    });
  }

  /** Tournament selection: the best of `tournament` members drawn with replacement (population is ranked best first). */
  private select(population: readonly TrialRecord[], rng: Rng): TrialRecord {
    let best = rng.int(0, population.length - 1);
    for (let i = 1; i < this.options.tournament; i++) best = Math.min(best, rng.int(0, population.length - 1));
    return population[best];
  }

  private gene(spec: ParamSpec, a: Params, b: Params, sigma: number, pm: number, rng: Rng): Params[string] {
    const va = a[spec.name];
    const vb = b[spec.name];
    if (spec.type === "choice") {
      if (rng.next() < pm) return sampleParam(spec, rng);
      const pick = rng.next() < 0.5 ? va : vb;
      return spec.choices.includes(pick) ? pick : sampleParam(spec, rng);
    }
    // A parent without a usable value (an older space) contributes a random gene.
    const ua = typeof va === "number" && Number.isFinite(va) && (!spec.log || va > 0) ? toUnit(spec, va) : rng.next();
    const ub = typeof vb === "number" && Number.isFinite(vb) && (!spec.log || vb > 0) ? toUnit(spec, vb) : rng.next();
    const lo = Math.min(ua, ub);
    const spread = Math.abs(ua - ub);
    let u = rng.uniform(lo - BLEND_ALPHA * spread, lo + spread + BLEND_ALPHA * spread);
    if (rng.next() < pm) u += rng.normal(0, sigma);
    return fromUnit(spec, reflect(u));
  }
}
