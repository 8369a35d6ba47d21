/**
 * Samplers: what to try next. One file per algorithm; `createSampler` builds one by name
 * (the names users type), validating its options. docs/samplers.md describes each.
 */
import { ParamError } from "../../errors";
import type { Sampler } from "./base";
import { EvolutionSampler, evolutionOptions } from "./evolution";
import { GridSampler } from "./grid";
import { SamplerOptions } from "./options";
import { RandomSampler } from "./random";
import { TpeSampler, tpeOptions } from "./tpe";
import { Nsga2Sampler, nsga2Options } from "./nsga2";

export type { Draw, ProposeContext, Sampler, TrialRecord } from "./base";
export { EvolutionSampler, type EvolutionOptions } from "./evolution";
export { GridSampler, planGrid } from "./grid";
export { RandomSampler } from "./random";
export { TpeSampler, type TpeOptions } from "./tpe";
export { Nsga2Sampler, paretoFront, type Nsga2Options } from "./nsga2";

export const SAMPLER_NAMES = ["random", "tpe", "evolution", "grid", "nsga2"] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** A sampler by name; unknown names and options fail with a ParamError listing what exists. */
export function createSampler(name: SamplerName | (string & {}), options: Record<string, unknown> = {}): Sampler {
  switch (name) {
    case "random":
      new SamplerOptions("random", options, []);
      return new RandomSampler();
    case "tpe":
      return new TpeSampler(tpeOptions(options));
    case "evolution":
      return new EvolutionSampler(evolutionOptions(options));
    case "nsga2":
      return new Nsga2Sampler(nsga2Options(options));
    case "grid":
      new SamplerOptions("grid", options, []);
      return new GridSampler();
    default:
      throw new ParamError(`unknown sampler "${name}"; available: ${SAMPLER_NAMES.join(", ")}`);
  }
}
