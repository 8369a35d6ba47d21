/**
 * Grid search sized to the budget. Each numeric parameter gets a number of levels,
 * evenly spaced on its axis (log-spaced when `log`; all of them when it has no more than
 * its share), choices all of theirs, so that the points satisfying the constraints come
 * as close to the budget as possible without exceeding it. The grid is shuffled once by
 * the study seed; trial id i evaluates point i, so batch k takes points
 * [firstId, firstId + count). Past the last point, the rest of the budget is random
 * search over the points not tried yet.
 */
import { satisfies } from "../../strategies/params";
import type { ParamSpec, ParamValue, Params, Strategy } from "../../strategies/types";
import { Rng } from "../../random/rng";
import { fillBatch, pastTrials, SeenKeys, type ProposeContext, type Sampler } from "./base";
import { allLevels, checkSpace, fromAxis, levelCount, paramKey, product, sampleParams, toAxis, topOf } from "./space";

/** Grid size when the budget is not a finite number >= 1. */
export const DEFAULT_GRID_POINTS = 1000;
/** No grid is enumerated beyond this many points (before constraints). */
const MAX_ENUMERATED = 4_000_000;

/** `n` values of a parameter: its default for 1, every level when n reaches them all, else evenly spaced on the axis. */
export function gridValues(spec: ParamSpec, n: number): ParamValue[] {
  const cap = levelCount(spec);
  if (spec.type === "choice" || n >= cap) return allLevels(spec);
  if (n <= 1) return [spec.default];
  const a = toAxis(spec, spec.low);
  const b = toAxis(spec, topOf(spec));
  const out: ParamValue[] = [];
  for (let i = 0; i < n; i++) {
    let v = fromAxis(spec, a + ((b - a) * i) / (n - 1));
    if (spec.type === "float" && !spec.step) v = Number(v.toPrecision(12)); // 0.30000000000000004
    if (!out.includes(v)) out.push(v); // log-spaced ints collide near low
  }
  return out;
}

/**
 * Levels per parameter for about `target` points: choices keep all theirs, numeric
 * parameters share the rest equally (those with fewer levels than their share take all
 * of them), then single levels are added while the product stays within the target.
 */
export function allocateLevels(specs: readonly ParamSpec[], target: number): number[] {
  const caps = specs.map(levelCount);
  const levels = specs.map((s, i) => (s.type === "choice" ? caps[i] : 1));
  let free = specs.map((_, i) => i).filter((i) => specs[i].type !== "choice");
  let room = target / levels.reduce((x, y) => x * y, 1);
  for (;;) {
    const share = Math.pow(Math.max(room, 1), 1 / Math.max(free.length, 1));
    const capped = free.filter((i) => caps[i] <= share);
    if (capped.length === 0) {
      for (const i of free) levels[i] = Math.max(1, Math.floor(share));
      break;
    }
    for (const i of capped) {
      levels[i] = caps[i];
      room /= caps[i];
    }
    free = free.filter((i) => !capped.includes(i));
  }
  let size = levels.reduce((x, y) => x * y, 1);
  for (let grew = true; grew; ) {
    grew = false;
    for (const i of free) {
      if (levels[i] < caps[i] && (size / levels[i]) * (levels[i] + 1) <= target) {
        size = (size / levels[i]) * (levels[i] + 1);
        levels[i]++;
        grew = true;
      }
    }
  }
  return levels;
}

/**
 * The valid grid points (lexicographic) for a budget: the largest grid found with at
 * most `budget` valid points. The raw size is first scaled by the share the constraints
 * remove, then bisected between a target that fits and one that overshoots. When even
 * the smallest grid exceeds the budget, that one (the study then evaluates a
 * budget-sized random subset of it, thanks to the shuffle).
 */
export function planGrid(strategy: Strategy, maxPoints: number): Params[] {
  checkSpace(strategy);
  const budget = Math.min(maxPoints, MAX_ENUMERATED);
  const specs = strategy.params;
  const built = new Map<string, Params[]>();
  const build = (levels: readonly number[]): Params[] | undefined => {
    const key = levels.join(",");
    if (!built.has(key)) {
      if (specs.reduce((n, s, i) => n * Math.min(levels[i], levelCount(s)), 1) > MAX_ENUMERATED) return undefined;
      built.set(key, product(specs, specs.map((s, i) => gridValues(s, levels[i]))).filter((p) => satisfies(strategy, p)));
    }
    return built.get(key);
  };
  let best: Params[] | undefined;
  let smallest: Params[] | undefined;
  let fits: number | undefined; // a target whose grid fits the budget
  let overshoots: number | undefined; // a target whose grid does not
  let target = budget;
  for (let iteration = 0; iteration < 40; iteration++) {
    const levels = allocateLevels(specs, target);
    const points = build(levels);
    if (points === undefined) {
      overshoots = target;
    } else {
      if (points.length <= budget && (best === undefined || points.length > best.length)) best = points;
      if (smallest === undefined || points.length < smallest.length) smallest = points;
      const complete = levels.every((l, i) => l >= levelCount(specs[i]));
      if (points.length === budget || (points.length < budget && complete)) break;
      if (points.length <= budget) fits = Math.max(fits ?? 0, target);
      else overshoots = Math.min(overshoots ?? Infinity, target);
    }
    let next: number;
    if (overshoots === undefined) next = Math.max(target + 1, Math.ceil((target * budget) / Math.max(1, points?.length ?? 1)));
    else if (fits === undefined) next = Math.min(overshoots - 1, Math.floor((target * budget) / Math.max(1, points?.length ?? 1)));
    else next = Math.floor((fits + overshoots) / 2);
    if (next < 1 || next === target || (fits !== undefined && next <= fits) || (overshoots !== undefined && next >= overshoots)) break;
    target = next;
  }
  return best ?? smallest ?? [];
}

export class GridSampler implements Sampler {
  readonly name = "grid";
  /** Memo of the last plan (a pure function of strategy, budget and seed). */
  private memo: { strategy: Strategy; budget: number; seed: number; points: Params[] } | undefined;
  private readonly seen = new SeenKeys();

  /** The shuffled grid a study with this budget and seed walks through. */
  points(strategy: Strategy, totalTrials: number, seed = 0): readonly Params[] {
    const budget = Number.isFinite(totalTrials) && totalTrials >= 1 ? Math.floor(totalTrials) : DEFAULT_GRID_POINTS;
    const m = this.memo;
    if (m !== undefined && m.strategy === strategy && m.budget === budget && m.seed === seed) return m.points;
    const points = Rng.derive(seed, "grid", strategy.name).shuffle(planGrid(strategy, budget));
    this.memo = { strategy, budget, seed, points };
    return points;
  }

  /**
   * Points [firstId, firstId + count) of the grid. Past its end (the grid holds at most
   * the budget, often a little less), the rest of the batch is random search over the
   * points not tried yet, so a study always gets `count` proposals and spends its budget.
   */
  propose(ctx: ProposeContext): Params[] {
    const points = this.points(ctx.strategy, ctx.totalTrials, ctx.seed ?? 0);
    const batch = points.slice(Math.max(0, ctx.firstId), Math.max(0, ctx.firstId + ctx.count)).map((p) => ({ ...p }));
    if (batch.length === ctx.count) return batch;
    const seen = new Set(this.seen.of(ctx.strategy, pastTrials(ctx)));
    for (const p of batch) seen.add(paramKey(ctx.strategy, p));
    const rest = fillBatch({ ...ctx, count: ctx.count - batch.length }, seen, () => [sampleParams(ctx.strategy, ctx.rng)]);
    return [...batch, ...rest];
  }
}
