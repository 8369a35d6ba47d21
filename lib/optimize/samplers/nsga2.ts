/**
 * NSGA-II (K. Deb, A. Pratap, S. Agarwal, T. Meyarivan, "A fast and elitist multiobjective
 * genetic algorithm: NSGA-II", IEEE Trans. Evolutionary Computation 6(2):182-197, 2002),
 * as Optuna's NSGAIISampler applies it to trials:
 *
 * - the first `population` trials are drawn at random (Optuna: the first generation);
 * - the parent population is chosen by elite selection: fast non-dominated sorting into
 *   fronts, whole fronts while they fit, the last one cut by crowding distance (larger
 *   first) (Deb 2002, sections III-A, III-B);
 * - each child: two parents by binary tournament (lower front wins, then larger crowding
 *   distance: the crowded-comparison operator), uniform crossover (each gene from either
 *   parent with probability 1/2; Optuna's default UniformCrossover), then each gene
 *   resampled uniformly with probability 1 / (number of parameters) (Optuna's default
 *   mutation);
 * - trials without every objective value (failed, pruned, ruined) take no part.
 *
 * One difference, so that the sampler stays a pure function of the journal (resume =
 * replay): Optuna keeps each generation's parents and selects the next from parents plus
 * children (mu + lambda); here the parents are the elite of every trial so far. The two
 * agree on the non-dominated trials; they can differ in which crowded trials of the last
 * front are kept. A generation is a batch (population = batch size by default).
 * Objectives arrive oriented to be maximised (a minimised one negated by the study).
 * With one objective it is a plain elitist GA.
 */
import type { Params } from "../../strategies/types";
import type { Rng } from "../../random/rng";
import { fillBatch, pastTrials, SeenKeys, type ProposeContext, type Sampler, type TrialRecord } from "./base";
import { SamplerOptions } from "./options";
import { sampleParam, sampleParams } from "./space";

export interface Nsga2Options {
  /** Parents kept (default: the batch size, as Optuna's population_size is its generation). */
  population: number;
  /** Probability a gene is resampled; 0 means 1 / (number of parameters). */
  mutation_prob: number;
  /** Probability of crossover (else a child copies its first parent before mutation); Optuna's default 0.9. */
  crossover_prob: number;
}

export const NSGA2_OPTION_NAMES = ["population", "mutation_prob", "crossover_prob"] as const;

export function nsga2Options(given: Record<string, unknown>): Nsga2Options {
  const o = new SamplerOptions("nsga2", given, NSGA2_OPTION_NAMES);
  return { population: o.int("population", 0, 0, 100_000), mutation_prob: o.number("mutation_prob", 0, 0, 1), crossover_prob: o.number("crossover_prob", 0.9, 0, 1) };
}

/** The objective vector of a trial with every value, maximised; null otherwise. */
export function objectiveVector(t: TrialRecord): number[] | null {
  if (t.values !== undefined) return t.values;
  return typeof t.value === "number" && Number.isFinite(t.value) ? [t.value] : null;
}

/** a dominates b: no worse in every objective, better in one (all maximised). */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return false;
    if (a[i] > b[i]) better = true;
  }
  return better;
}

/** Fast non-dominated sort (Deb 2002, III-A): fronts of indices, the first non-dominated. */
export function nonDominatedFronts(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = new Int32Array(n);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dominates(points[p], points[q])) {
        dominating[p].push(q);
        dominatedBy[q]++;
      } else if (dominates(points[q], points[p])) {
        dominating[q].push(p);
        dominatedBy[p]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let p = 0; p < n; p++) if (dominatedBy[p] === 0) current.push(p);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const p of current) for (const q of dominating[p]) if (--dominatedBy[q] === 0) next.push(q);
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/** Crowding distance of each member of a front (Deb 2002, III-B): boundary points get Infinity. */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): Map<number, number> {
  const d = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length <= 2) {
    for (const i of front) d.set(i, Infinity);
    return d;
  }
  const m = points[front[0]].length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => points[a][k] - points[b][k] || a - b);
    const lo = points[sorted[0]][k];
    const hi = points[sorted[sorted.length - 1]][k];
    d.set(sorted[0], Infinity);
    d.set(sorted[sorted.length - 1], Infinity);
    if (hi === lo) continue;
    for (let j = 1; j < sorted.length - 1; j++) {
      d.set(sorted[j], (d.get(sorted[j]) as number) + (points[sorted[j + 1]][k] - points[sorted[j - 1]][k]) / (hi - lo));
    }
  }
  return d;
}

interface Member {
  trial: TrialRecord;
  rank: number;
  crowding: number;
}

/** Elite selection: whole fronts while they fit, the last cut by crowding distance (ties: lower id). */
export function eliteSelection(trials: readonly TrialRecord[], size: number): Member[] {
  const points = trials.map((t) => objectiveVector(t) as number[]);
  const out: Member[] = [];
  const fronts = nonDominatedFronts(points);
  for (let r = 0; r < fronts.length && out.length < size; r++) {
    const cd = crowdingDistance(points, fronts[r]);
    const members = fronts[r].map((i) => ({ trial: trials[i], rank: r, crowding: cd.get(i) as number }));
    if (out.length + members.length > size) members.sort((a, b) => b.crowding - a.crowding || a.trial.id - b.trial.id);
    out.push(...members.slice(0, size - out.length));
  }
  return out;
}

export class Nsga2Sampler implements Sampler {
  readonly name = "nsga2";
  private readonly seen = new SeenKeys();

  constructor(readonly options: Nsga2Options = nsga2Options({})) {}

  propose(ctx: ProposeContext): Params[] {
    const { strategy, rng } = ctx;
    const past = pastTrials(ctx);
    const seen = this.seen.of(strategy, past);
    const P = this.options.population > 0 ? this.options.population : ctx.count;
    const valued = past.filter((t) => objectiveVector(t) !== null);
    if (past.length < P || valued.length < 2) return fillBatch(ctx, seen, () => [sampleParams(strategy, rng)]);
    const parents = eliteSelection(valued, P);
    const pm = this.options.mutation_prob > 0 ? this.options.mutation_prob : 1 / Math.max(1, strategy.params.length);
    return fillBatch(ctx, seen, () => {
      const a = tournament(parents, rng);
      let b = tournament(parents, rng);
      for (let i = 0; i < 3 && b === a; i++) b = tournament(parents, rng);
      const cross = rng.next() < this.options.crossover_prob;
      const child: Params = {};
      for (const spec of strategy.params) {
        const va = a.trial.params[spec.name];
        const vb = b.trial.params[spec.name];
        let v = cross && rng.next() < 0.5 ? vb : va;
        if (v === undefined || rng.next() < pm) v = sampleParam(spec, rng);
        child[spec.name] = v;
      }
      return [child];
    });
  }
}

/** Binary tournament with the crowded-comparison operator. */
function tournament(pop: readonly Member[], rng: Rng): Member {
  const a = pop[rng.int(0, pop.length - 1)];
  const b = pop[rng.int(0, pop.length - 1)];
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  if (a.crowding !== b.crowding) return a.crowding > b.crowding ? a : b;
  return a.trial.id <= b.trial.id ? a : b;
}

/** The Pareto front (first non-dominated front) of trials with every value, by id. */
export function paretoFront(trials: readonly TrialRecord[]): TrialRecord[] {
  const valued = trials.filter((t) => objectiveVector(t) !== null);
  const fronts = nonDominatedFronts(valued.map((t) => objectiveVector(t) as number[]));
  return (fronts[0] ?? []).map((i) => valued[i]).sort((a, b) => a.id - b.id);
}
