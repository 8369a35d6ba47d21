/**
 * Parameter importance of one study: how much of the spread of the objective a parameter
 * explains on its own.
 *
 * Definition (docs/reports.md "Parameter importance"): take the complete trials, replace
 * each objective value by its rank (average ranks for ties, so a few extreme values cannot
 * dominate), group the trials by the parameter (one group per value for choices and for
 * numbers with at most B distinct values; otherwise B bins of equal trial count, equal
 * values always in one bin; B = round(sqrt(n)) clamped to [2, 10]) and compute the
 * bias-corrected share of rank variance between the groups, epsilon-squared
 * (Kelley 1935; the rank form is the Kruskal-Wallis effect size):
 *
 *   eps2 = (SS_between - (k - 1) * MS_within) / SS_total,  MS_within = SS_within / (n - k)
 *
 * clipped to [0, 1]: 0 = the parameter's value says nothing about the rank of the
 * objective, 1 = it determines it. A one-parameter-at-a-time measure (a fANOVA main
 * effect without the random forest): interactions are not counted, so the importances
 * of a study need not add up to 1. Alongside it, for numeric parameters, the Spearman
 * rank correlation says the direction of a monotonic effect.
 */
import type { TrialParamValue } from "../optimize/storage/types";

export interface ParamImportance {
  param: string;
  /** epsilon-squared in [0, 1]; null with too few trials (fewer than 4, or no two trials sharing a group). */
  importance: number | null;
  /** Spearman's rho between the parameter and the objective (numeric parameters), else null. */
  spearman: number | null;
  /** Groups the parameter was split into. */
  groups: number;
  /** Trials used (complete, finite value, parameter present). */
  n: number;
}

export interface ScoredTrial {
  params: Record<string, TrialParamValue>;
  value: number | null;
}

export const MIN_TRIALS = 4;
export const MAX_BINS = 10;

/** Average ranks (1-based), ties sharing the mean of their positions. */
export function ranks(xs: readonly number[]): number[] {
  const idx = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]] === xs[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

function pearson(a: readonly number[], b: readonly number[]): number | null {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** Group index of each trial for one parameter. */
function groupsOf(values: readonly TrialParamValue[], bins: number): number[] {
  const numeric = values.every((v) => typeof v === "number");
  const distinct = [...new Set(values)];
  if (!numeric || distinct.length <= bins) {
    const at = new Map(distinct.map((v, i) => [v, i]));
    return values.map((v) => at.get(v) as number);
  }
  // Equal-count bins over the sorted values; a value's group is set by its first position,
  // so equal values never straddle two bins.
  const xs = values as readonly number[];
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const g = new Array<number>(xs.length);
  const first = new Map<number, number>();
  order.forEach((i, pos) => {
    if (!first.has(xs[i])) first.set(xs[i], Math.floor((pos * bins) / xs.length));
    g[i] = first.get(xs[i]) as number;
  });
  return g;
}

/** epsilon-squared of `y` between the groups `g`, or null when it is undefined. */
export function epsilonSquared(y: readonly number[], g: readonly number[]): { eps2: number | null; groups: number } {
  const n = y.length;
  const sums = new Map<number, { s: number; c: number }>();
  let mean = 0;
  for (let i = 0; i < n; i++) {
    mean += y[i];
    const e = sums.get(g[i]) ?? { s: 0, c: 0 };
    e.s += y[i];
    e.c++;
    sums.set(g[i], e);
  }
  mean /= n;
  const k = sums.size;
  let ssTotal = 0;
  for (const v of y) ssTotal += (v - mean) ** 2;
  let ssBetween = 0;
  for (const { s, c } of sums.values()) ssBetween += c * (s / c - mean) ** 2;
  if (n - k < 1 || ssTotal <= 0) return { eps2: null, groups: k };
  if (k < 2) return { eps2: 0, groups: k };
  const msWithin = (ssTotal - ssBetween) / (n - k);
  const e = (ssBetween - (k - 1) * msWithin) / ssTotal;
  return { eps2: Math.min(1, Math.max(0, e)), groups: k };
}

/** Importance of each parameter in `names`, most important first (null last). */
export function paramImportance(trials: readonly ScoredTrial[], names: readonly string[]): ParamImportance[] {
  const out = names.map((param): ParamImportance => {
    const used = trials.filter((t) => typeof t.value === "number" && Number.isFinite(t.value) && t.params[param] !== undefined);
    const n = used.length;
    if (n < MIN_TRIALS) return { param, importance: null, spearman: null, groups: 0, n };
    const y = ranks(used.map((t) => t.value as number));
    const values = used.map((t) => t.params[param]);
    const bins = Math.min(MAX_BINS, Math.max(2, Math.round(Math.sqrt(n))));
    const { eps2, groups } = epsilonSquared(y, groupsOf(values, bins));
    const spearman = values.every((v) => typeof v === "number") ? pearson(ranks(values as number[]), y) : null;
    return { param, importance: eps2, spearman, groups, n };
  });
  return out.sort((a, b) => (b.importance ?? -1) - (a.importance ?? -1) || (a.param < b.param ? -1 : 1));
}
