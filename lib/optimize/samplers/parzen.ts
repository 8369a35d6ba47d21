/**
 * The Parzen estimator of TPE: a weighted mixture with one kernel per observation plus a
 * prior kernel, over one or several parameters. Numeric parameters get Gaussian kernels
 * truncated to the parameter's internal axis (space.ts); grid parameters are scored by
 * the mass of their bin, continuous ones by density; choices get smoothed indicator
 * kernels. Follows Optuna's `optuna/samplers/_tpe/parzen_estimator.py` (v3/v4):
 * bandwidths, magic clip, prior, weights; docs/samplers.md states the formulas.
 */
import type { Rng } from "../../random/rng";

export type Dim = { kind: "numeric"; a: number; b: number } | { kind: "choice"; n: number };

/** Where to evaluate one dimension: a point (continuous), a bin (grid value), or a choice index. */
export type At = { x: number } | { lo: number; hi: number } | { index: number };

export interface ParzenOptions {
  /** Weight of the prior kernel relative to an observation of weight 1 (Optuna: 1.0). */
  priorWeight: number;
  /** One joint estimator over all dimensions (Optuna's multivariate TPE) rather than per dimension. */
  multivariate: boolean;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/**
 * Kernels further than this many sigmas contribute < 1e-16 of their weight: negligible
 * next to the prior kernel's share (sigma = the axis width), so the linear sum skips them.
 */
const FAR = 8.5;
const SQRT1_2 = Math.SQRT1_2;

/** erfc with relative error < 1.2e-7 everywhere (Numerical Recipes, 2nd ed., §6.2, Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(z1 < Z < z2) for a standard normal Z, keeping relative accuracy in both tails. */
export function normalMass(z1: number, z2: number): number {
  const w = z2 - z1;
  if (!(w > 0)) return 0;
  if (z1 < -8.3 && z2 > 8.3) return 1; // 1 - 1e-16: 1 in double precision
  // Narrow bins: the midpoint rule with its curvature term, phi(m) w (1 + (m^2 - 1) w^2 / 24),
  // relative error O(w^4); faster, and better than a difference of nearly equal erfc values.
  if (w < 0.1) {
    const m = 0.5 * (z1 + z2);
    return Math.exp(-0.5 * m * m) * INV_SQRT_2PI * w * (1 + ((m * m - 1) * w * w) / 24);
  }
  if (z1 >= 0) return 0.5 * (erfc(z1 * SQRT1_2) - erfc(z2 * SQRT1_2));
  if (z2 <= 0) return 0.5 * (erfc(-z2 * SQRT1_2) - erfc(-z1 * SQRT1_2));
  return 1 - 0.5 * (erfc(-z1 * SQRT1_2) + erfc(z2 * SQRT1_2));
}

/**
 * Optuna's default_weights: 1 for the 25 most recent observations, a linear ramp from
 * 1/n up to 1 for the older ones (observations are in trial order).
 */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

interface NumericKernels {
  kind: "numeric";
  a: number;
  b: number;
  mu: Float64Array;
  sigma: Float64Array;
  invSigma: Float64Array;
  /** 1 / each kernel's mass inside [a, b] (the truncation constant). */
  invZ: Float64Array;
}
interface ChoiceKernels {
  kind: "choice";
  /** p[k * n + c]: probability of choice c under kernel k. */
  p: Float64Array;
  n: number;
}

export class ParzenEstimator {
  private readonly w: Float64Array;
  private readonly logW: Float64Array;
  private readonly cumW: Float64Array;
  private readonly kernels: (NumericKernels | ChoiceKernels)[];

  /**
   * `observations[i][d]`: observation i on dimension d (a position on the internal axis,
   * or a choice index), in trial order. Every observation has every dimension.
   */
  constructor(dims: readonly Dim[], observations: readonly (readonly number[])[], options: ParzenOptions) {
    const n = observations.length;
    const w = observationWeights(n);
    w.push(options.priorWeight);
    const total = w.reduce((s, x) => s + x, 0);
    this.w = Float64Array.from(w, (x) => x / total);
    this.logW = Float64Array.from(this.w, Math.log);
    this.cumW = new Float64Array(w.length);
    let acc = 0;
    w.forEach((x, k) => (this.cumW[k] = acc += x / total));
    this.kernels = dims.map((dim, d) => {
      const obs = observations.map((o) => o[d]);
      return dim.kind === "numeric" ? numericKernels(dim, obs, dims.length, options) : choiceKernels(dim, obs, options);
    });
  }

  /** `count` draws from the mixture, one array of per-dimension values each (internal axis / choice index). */
  sample(rng: Rng, count: number): number[][] {
    const out: number[][] = [];
    for (let s = 0; s < count; s++) {
      const u = rng.next();
      let k = 0;
      while (k < this.cumW.length - 1 && this.cumW[k] <= u) k++;
      out.push(this.kernels.map((kern) => (kern.kind === "numeric" ? truncatedNormal(rng, kern.mu[k], kern.sigma[k], kern.a, kern.b) : drawChoice(rng, kern, k))));
    }
    return out;
  }

  /** log of the mixture's probability (grid value, choice) or density (continuous value) at `at`. */
  logPdf(at: readonly At[]): number {
    const K = this.logW.length;
    // Linear space is exact enough and several times faster: the prior kernel keeps the
    // sum far above the kernels skipped as FAR, and away from 0 unless many dimensions
    // multiply small numbers; then, exact logs.
    let sum = 0;
    for (let k = 0; k < K; k++) {
      let t = this.w[k];
      for (let d = 0; d < this.kernels.length && t > 0; d++) t *= kernelValue(this.kernels[d], k, at[d], false);
      sum += t;
    }
    if (sum > 1e-250 && Number.isFinite(sum)) return Math.log(sum);
    const terms = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let t = this.logW[k];
      for (let d = 0; d < this.kernels.length && t > -Infinity; d++) t += Math.log(kernelValue(this.kernels[d], k, at[d], true));
      terms[k] = t;
    }
    return logSumExp(terms);
  }
}

/** Kernel k's probability (bin, choice) or density (point) at `at`. */
function kernelValue(kern: NumericKernels | ChoiceKernels, k: number, at: At, exact: boolean): number {
  if (kern.kind === "choice") return kern.p[k * kern.n + (at as { index: number }).index];
  const mu = kern.mu[k];
  const inv = kern.invSigma[k];
  if ("x" in at) {
    const z = (at.x - mu) * inv;
    if (!exact && (z > FAR || z < -FAR)) return 0;
    return Math.exp(-0.5 * z * z) * INV_SQRT_2PI * inv * kern.invZ[k];
  }
  const { lo, hi } = at as { lo: number; hi: number };
  const z1 = (lo - mu) * inv;
  const z2 = (hi - mu) * inv;
  if (!exact && (z1 > FAR || z2 < -FAR)) return 0;
  return normalMass(z1, z2) * kern.invZ[k];
}

function logSumExp(xs: Float64Array): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/**
 * Bandwidths as Optuna: univariate, each kernel's sigma is the larger gap to its sorted
 * neighbours (prior mean and the axis ends included; the outermost kernels use their
 * inner gap); multivariate, Scott-like 0.2 * n^(-1/(D+4)) * width. Then the "magic
 * clip" to [width / min(100, 1 + kernels), width]. The prior kernel sits mid-axis with
 * sigma = width.
 */
function numericKernels(dim: { a: number; b: number }, obs: readonly number[], nDims: number, options: ParzenOptions): NumericKernels {
  const { a, b } = dim;
  const width = b - a;
  const n = obs.length;
  const priorMu = 0.5 * (a + b);
  const mu = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) mu[i] = Math.min(b, Math.max(a, obs[i]));
  mu[n] = priorMu;
  const sigma = new Float64Array(n + 1);
  if (options.multivariate) {
    sigma.fill(0.2 * Math.pow(Math.max(n, 1), -1 / (nDims + 4)) * width);
  } else {
    const order = Array.from({ length: n + 1 }, (_, i) => i).sort((x, y) => mu[x] - mu[y] || x - y);
    const ends = [a, ...order.map((i) => mu[i]), b];
    const sorted = order.map((_, j) => Math.max(ends[j + 1] - ends[j], ends[j + 2] - ends[j + 1]));
    if (ends.length >= 4) {
      sorted[0] = ends[2] - ends[1];
      sorted[sorted.length - 1] = ends[ends.length - 2] - ends[ends.length - 3];
    }
    order.forEach((i, j) => (sigma[i] = sorted[j]));
  }
  const minSigma = width / Math.min(100, 1 + (n + 1));
  for (let i = 0; i < n; i++) sigma[i] = Math.min(width, Math.max(minSigma, sigma[i]));
  sigma[n] = width;
  if (!(width > 0)) {
    // A single-value axis: every kernel is the same point mass.
    sigma.fill(1);
    return { kind: "numeric", a, b, mu, sigma, invSigma: sigma, invZ: new Float64Array(n + 1).fill(1) };
  }
  const invZ = Float64Array.from(mu, (m, i) => 1 / normalMass((a - m) / sigma[i], (b - m) / sigma[i]));
  return { kind: "numeric", a, b, mu, sigma, invSigma: Float64Array.from(sigma, (x) => 1 / x), invZ };
}

/**
 * Optuna's categorical kernels: observation i puts weight 1 + p on its own choice and p
 * on every choice, p = priorWeight / (n + 1), normalised; the prior kernel is uniform.
 */
function choiceKernels(dim: { n: number }, obs: readonly number[], options: ParzenOptions): ChoiceKernels {
  const C = dim.n;
  const n = obs.length;
  const p = options.priorWeight / (n + 1);
  const probs = new Float64Array((n + 1) * C);
  for (let k = 0; k <= n; k++) {
    const own = k < n ? obs[k] : -1;
    const total = C * p + (own >= 0 ? 1 : 0);
    for (let c = 0; c < C; c++) probs[k * C + c] = (p + (c === own ? 1 : 0)) / total;
  }
  return { kind: "choice", p: probs, n: C };
}

/** N(mu, sigma) truncated to [a, b] by rejection: the kernels keep >= 34% of their mass inside. */
function truncatedNormal(rng: Rng, mu: number, sigma: number, a: number, b: number): number {
  for (let i = 0; i < 64; i++) {
    const x = rng.normal(mu, sigma);
    if (x >= a && x <= b) return x;
  }
  return Math.min(b, Math.max(a, mu));
}

function drawChoice(rng: Rng, kern: ChoiceKernels, k: number): number {
  const u = rng.next();
  let acc = 0;
  for (let c = 0; c < kern.n; c++) {
    acc += kern.p[k * kern.n + c];
    if (u < acc) return c;
  }
  return kern.n - 1;
}
