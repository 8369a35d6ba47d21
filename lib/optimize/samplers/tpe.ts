/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011; Watanabe 2023, "Tree-structured
 * Parzen estimator: understanding its algorithm components"), as Optuna's TPESampler:
 * split the trials into good (top gamma(n)) and bad, model each with a Parzen estimator
 * l(x), g(x), draw candidates from l and take the one maximising log l(x) - log g(x).
 * Batches use a constant liar: members already chosen count as bad trials, which pushes
 * the rest of the batch elsewhere. docs/samplers.md has the details and the differences.
 */
import type { ParamSpec, Params } from "../../strategies/types";
import type { Rng } from "../../random/rng";
import { fillBatch, hasValue, pastTrials, SeenKeys, type Draw, type ProposeContext, type Sampler, type TrialRecord } from "./base";
import { SamplerOptions } from "./options";
import { ParzenEstimator, type At, type Dim } from "./parzen";
import { axisOf, binOf, choiceIndex, fromAxis, sampleParams, toAxis } from "./space";

export interface TpeOptions {
  /** Trials drawn at random before the model is used (Optuna: 10). */
  n_startup_trials: number;
  /** Candidates drawn from l(x) per proposal (Optuna: 24). */
  n_ei_candidates: number;
  /** Weight of the prior kernel (Optuna: 1). */
  prior_weight: number;
  /** Model the parameters jointly (Optuna's multivariate=True) rather than independently. */
  multivariate: boolean;
  /** Count the batch members already chosen as bad trials (Optuna's constant_liar). */
  constant_liar: boolean;
  /**
   * The bad group's estimator uses at most this many trials, the most recent ones, so a
   * proposal costs O(max_bad_trials), not O(history) (docs/samplers.md, "Cost").
   */
  max_bad_trials: number;
}

export const TPE_OPTION_NAMES = ["n_startup_trials", "n_ei_candidates", "prior_weight", "multivariate", "constant_liar", "max_bad_trials"] as const;

/**
 * Default of max_bad_trials: keeps a proposal under ~1 ms a trial on the development
 * machine (docs/samplers.md, "Cost, bounded"; its effect on sample efficiency is in
 * docs/benchmarks.md).
 */
export const DEFAULT_MAX_BAD_TRIALS = 128;

export function tpeOptions(given: Record<string, unknown>): TpeOptions {
  const o = new SamplerOptions("tpe", given, TPE_OPTION_NAMES);
  return {
    n_startup_trials: o.int("n_startup_trials", 10, 0),
    n_ei_candidates: o.int("n_ei_candidates", 24, 1, 10_000),
    prior_weight: o.number("prior_weight", 1, 0, 1e6, true),
    // Default on: strategy parameters interact (fast/slow lengths); measured in docs/samplers.md.
    multivariate: o.boolean("multivariate", true),
    constant_liar: o.boolean("constant_liar", true),
    max_bad_trials: o.int("max_bad_trials", DEFAULT_MAX_BAD_TRIALS, 1, 1_000_000),
  };
}

/** Optuna's default_gamma: the good group is the top ceil(10%) of the trials, at most 25. */
export function gamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * Good and bad trials: the gamma(n) best by value (ties: lower id first) are good; the
 * rest, failed and pruned trials included, are bad. Both keep trial order (the
 * estimators weight recent trials more).
 */
export function splitTrials(history: readonly TrialRecord[]): { good: TrialRecord[]; bad: TrialRecord[] } {
  // The top k by one pass with a sorted list of at most k = gamma(n) <= 25 (no sort of
  // the whole history: a proposal's cost stays flat as the study grows).
  const k = gamma(history.length);
  const top: (TrialRecord & { value: number })[] = [];
  const before = (x: TrialRecord & { value: number }, y: TrialRecord & { value: number }) => x.value > y.value || (x.value === y.value && x.id < y.id);
  for (const t of history) {
    if (k === 0 || !hasValue(t)) continue;
    if (top.length === k && !before(t, top[k - 1])) continue;
    let i = top.length === k ? k - 1 : top.length;
    while (i > 0 && before(t, top[i - 1])) i--;
    top.splice(i, 0, t);
    if (top.length > k) top.pop();
  }
  const good = new Set<TrialRecord>(top);
  return { good: history.filter((t) => good.has(t)), bad: history.filter((t) => !good.has(t)) };
}

function dimOf(spec: ParamSpec): Dim {
  return spec.type === "choice" ? { kind: "choice", n: spec.choices.length } : { kind: "numeric", ...axisOf(spec) };
}

/** A parameter value's coordinate for the estimators, or undefined when missing or off the space. */
function coordinate(spec: ParamSpec, v: unknown): number | undefined {
  if (spec.type === "choice") {
    const i = choiceIndex(spec, v as never);
    return i >= 0 ? i : undefined;
  }
  if (typeof v !== "number" || !Number.isFinite(v) || (spec.log && !(v > 0))) return undefined;
  return toAxis(spec, v);
}

/** Where to score a proposed value: its bin for grid parameters, the point for continuous ones. */
function evaluationPoint(spec: ParamSpec, v: Params[string]): At {
  if (spec.type === "choice") return { index: choiceIndex(spec, v) };
  return binOf(spec, v as number) ?? { x: toAxis(spec, v as number) };
}

function valueAt(spec: ParamSpec, coord: number): Params[string] {
  return spec.type === "choice" ? spec.choices[coord] : fromAxis(spec, coord);
}

/** Coordinates of the trials that have every parameter of the group (Optuna skips the rest). */
function observations(specs: readonly ParamSpec[], params: readonly Params[]): number[][] {
  const out: number[][] = [];
  for (const p of params) {
    const row = specs.map((s) => coordinate(s, p[s.name]));
    if (row.every((c) => c !== undefined)) out.push(row as number[]);
  }
  return out;
}

/** A Parzen estimator over a group of parameters (all of them, or one when univariate). */
function estimator(specs: readonly ParamSpec[], params: readonly Params[], options: TpeOptions): ParzenEstimator {
  return new ParzenEstimator(specs.map(dimOf), observations(specs, params), { priorWeight: options.prior_weight, multivariate: options.multivariate });
}

/** `count` candidates drawn from l, each as values with its score log l(x) - log g(x). */
function candidates(specs: readonly ParamSpec[], l: ParzenEstimator, g: ParzenEstimator, rng: Rng, count: number): { values: Params[string][]; score: number }[] {
  return l.sample(rng, count).map((coords) => {
    const values = coords.map((c, d) => valueAt(specs[d], c));
    const at = values.map((v, d) => evaluationPoint(specs[d], v));
    return { values, score: l.logPdf(at) - g.logPdf(at) };
  });
}

export class TpeSampler implements Sampler {
  readonly name = "tpe";
  private readonly seen = new SeenKeys();

  constructor(readonly options: TpeOptions = tpeOptions({})) {}

  propose(ctx: ProposeContext): Params[] {
    const { strategy, rng } = ctx;
    const past = pastTrials(ctx);
    const seen = this.seen.of(strategy, past);
    if (past.length < this.options.n_startup_trials) return fillBatch(ctx, seen, () => [sampleParams(strategy, rng)]);
    const { good, bad } = splitTrials(past);
    // Bounded cost: the most recent max_bad_trials bad trials (older ones already carry the
    // smallest weights of Optuna's ramp); the good group always comes from the whole history.
    const cap = this.options.max_bad_trials;
    const badParams = (bad.length > cap ? bad.slice(bad.length - cap) : bad).map((t) => t.params);
    const groups = this.options.multivariate ? [strategy.params] : strategy.params.map((s) => [s]);
    const l = groups.map((specs) => estimator(specs, good.map((t) => t.params), this.options));
    let g: ParzenEstimator[] = [];
    let gFor = -1;
    const draw: Draw = (_round, batch) => {
      const liars = this.options.constant_liar ? batch.length : 0;
      if (gFor !== liars) {
        const lied = liars > 0 ? [...badParams, ...batch] : badParams;
        g = groups.map((specs) => estimator(specs, lied, this.options));
        gFor = liars;
      }
      return this.rankedCandidates(groups, l, g, rng);
    };
    return fillBatch(ctx, seen, draw);
  }

  /**
   * Candidates, best first. Univariate, Optuna's proposal comes first: each parameter's
   * own best of n_ei_candidates draws. Then, as fallbacks when that one breaks a
   * constraint or repeats a trial, the joint draws j = (draw j of every parameter) by
   * their summed score.
   */
  private rankedCandidates(groups: readonly (readonly ParamSpec[])[], l: readonly ParzenEstimator[], g: readonly ParzenEstimator[], rng: Rng): Params[] {
    const n = this.options.n_ei_candidates;
    const perModel = groups.map((specs, m) => candidates(specs, l[m], g[m], rng, n));
    const joint: { p: Params; score: number }[] = [];
    for (let j = 0; j < n; j++) {
      const p: Params = {};
      let score = 0;
      perModel.forEach((cands, m) => {
        groups[m].forEach((spec, d) => (p[spec.name] = cands[j].values[d]));
        score += cands[j].score;
      });
      joint.push({ p, score });
    }
    // Stable by draw order on ties, so the ranking is a function of the draws alone.
    const ranked = joint.map((c, j) => ({ ...c, j })).sort((x, y) => y.score - x.score || x.j - y.j);
    const out = ranked.map((c) => c.p);
    if (groups.length > 1) {
      const best: Params = {};
      perModel.forEach((cands, m) => {
        let top = 0;
        for (let j = 1; j < cands.length; j++) if (cands[j].score > cands[top].score) top = j;
        groups[m].forEach((spec, d) => (best[spec.name] = cands[top].values[d]));
      });
      out.unshift(best);
    }
    return out;
  }
}
