/**
 * A seeded generator of realistic bars, for research without a data licence and for tests.
 * Same seed and options, same numbers (and the same bytes through writeBarsCsv).
 *
 * The model (docs/data.md explains each choice and where the numbers come from):
 *   log return   r_t = mu(regime_t) + sigma_t * z_t,  z_t ~ Student-t(5), scaled to unit variance
 *   volatility   sigma_t = sigmaBar * volScale(regime_t) * exp(slow_t - sd^2) * sqrt(season_t * h_t)
 *   GARCH(1,1)   h_t = (1 - alpha - beta) + alpha * z_{t-1}^2 * h_{t-1} + beta * h_{t-1}   (E[h] = 1)
 *   slow level   slow_t = phi * slow_{t-1} + sd * sqrt(1 - phi^2) * N(0, 1)   (half-life of days)
 *   regimes      a hidden Markov chain bull / bear / sideways with geometric durations
 *   OHLC         open = previous close +- a tick or two; high and low are the extremes of a
 *                Brownian bridge from open to close with the bar's variance (sampled exactly)
 *   volume       base * season_t * level_t * (0.5 + 0.5 |z_t| / E|z|) * lognormal noise,
 *                level_t = volScale * exp(slow_t - sd^2) * sqrt(h_t)  (busy when volatile)
 */
import { Sfc32Core } from "../random/sfc32";
import { existsSync } from "node:fs";
import { UsageError } from "../errors";
import { DEFAULT_DATA } from "../paths";
import { allocateBars, MS_PER_DAY, MS_PER_YEAR, type Bars } from "./bars";
import { writeBarsCsv } from "./csv";

export interface GenerateOptions {
  /** Calendar days to cover (24/7 market): 730 days of 5-minute bars is 210,240 bars. */
  days: number;
  /** Any safe integer; the same seed gives the same bars. */
  seed: number;
  /** Bar size in whole minutes (default 5). */
  barMinutes?: number;
  /** First bar's open time, ISO 8601 (default 2023-01-01T00:00:00Z). */
  start?: string;
  /** First bar's open price (default 30,000). */
  startPrice?: number;
}

export interface Regime {
  readonly name: "bull" | "bear" | "sideways";
  /** Log drift per year while the regime lasts. */
  readonly drift: number;
  /** Multiplies volatility while the regime lasts. */
  readonly volScale: number;
  /** Mean duration in days (durations are geometric: memoryless, like a Markov chain's). */
  readonly meanDays: number;
  /** Where the chain goes when the regime ends: probabilities over MODEL.regimes, in order (own entry 0). */
  readonly next: readonly [number, number, number];
}

/** The model's fixed parameters; docs/data.md gives the reasoning behind each. */
export const MODEL = {
  /** Long-run annualised volatility of log returns (BTC 2017-2025: 50-100 %). */
  annualVol: 0.6,
  /** Student-t degrees of freedom of the innovations (a whole number > 2): 5-minute crypto returns fit 3-6. */
  tailDof: 5,
  /** GARCH reaction to the last shock, per bar. */
  garchAlpha: 0.04,
  /** Half-life of a GARCH volatility shock in hours; sets alpha + beta for any bar size. */
  volHalfLifeHours: 6,
  /** A slow log-volatility level (AR(1)): its half-life in days and its standard deviation. */
  slowVolHalfLifeDays: 10,
  slowVolSd: 0.35,
  /** open - previous close, in ticks: round(N(0, openJitterTicks^2)), so about half the opens equal the previous close. */
  openJitterTicks: 0.75,
  /** Mean volume per minute of trading (base units; BTC/USDT spot: ~10 BTC a minute). */
  volumePerMinute: 10,
  /** Share of volume that follows |z_t| (the rest follows the volatility level). */
  volumeShockShare: 0.5,
  /** Standard deviation of the log-normal volume noise. */
  volumeNoise: 0.5,
  /** Intraday activity: 1 + amplitude * cos(2 pi (hour - peakHour) / 24). */
  intradayAmplitude: 0.35,
  intradayPeakHourUtc: 15,
  /** Activity by UTC weekday, Sunday first: weekends trade about a quarter less. */
  weekday: [0.78, 1.0, 1.02, 1.02, 1.03, 1.0, 0.72] as readonly number[],
  regimes: [
    { name: "bull", drift: 1.2, volScale: 0.95, meanDays: 60, next: [0, 0.35, 0.65] },
    { name: "bear", drift: -1.0, volScale: 1.3, meanDays: 35, next: [0.4, 0, 0.6] },
    { name: "sideways", drift: 0, volScale: 0.75, meanDays: 45, next: [0.5, 0.5, 0] },
  ] as readonly Regime[],
} as const;

const MAX_BARS = 20_000_000;

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, passes
 * PractRand), seeded through splitmix32 so nearby seeds give unrelated streams.
 */
export class Sfc32 extends Sfc32Core {
  private spare = NaN;

  constructor(seed: number) {
    const [a, b, c] = Sfc32.seedWords(seed);
    super(a, b, c, 1);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** Three state words from a seed through splitmix32, so nearby seeds give unrelated streams. */
  private static seedWords(seed: number): [number, number, number] {
    let s = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x9e3779b9);
    const mix = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    return [mix(), mix(), mix()];
  }

  /** Uniform in (0, 1]: safe under a logarithm. */
  uniform(): number {
    return (this.uint32() + 1) / 4294967296;
  }

  /** Standard normal (Marsaglia's polar method; the second value is kept for the next call). */
  normal(): number {
    const spare = this.spare;
    if (spare === spare) {
      this.spare = NaN;
      return spare;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  /** Gamma(shape >= 1, scale 1) by Marsaglia and Tsang (2000), "A simple method for generating gamma variables". */
  gamma(shape: number): number {
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Student-t with `dof` > 2 degrees of freedom, scaled to unit variance: Z / sqrt(chi2/dof) * sqrt((dof-2)/dof). */
  studentT(dof: number): number {
    const chi2 = 2 * this.gamma(dof / 2);
    return this.normal() * Math.sqrt((dof - 2) / chi2);
  }
}

/** Gamma function at a positive multiple of 1/2 (Gamma(1/2) = sqrt(pi), Gamma(x + 1) = x Gamma(x)). */
function gammaOfHalves(x: number): number {
  let g = Number.isInteger(x) ? 1 : Math.sqrt(Math.PI);
  for (let k = Number.isInteger(x) ? 1 : 0.5; k < x; k++) g *= k;
  return g;
}

/** E|z| for the unit-variance Student-t: E|t_v| = sqrt(v) Gamma((v-1)/2) / (sqrt(pi) Gamma(v/2)), times sqrt((v-2)/v). */
const MEAN_ABS_Z =
  ((Math.sqrt(MODEL.tailDof) * gammaOfHalves((MODEL.tailDof - 1) / 2)) / (Math.sqrt(Math.PI) * gammaOfHalves(MODEL.tailDof / 2))) *
  Math.sqrt((MODEL.tailDof - 2) / MODEL.tailDof);

/** Generate `days` of bars from `seed` (see the model above and docs/data.md). */
export function generateBars(opts: GenerateOptions): Bars {
  const { days, seed } = opts;
  const barMinutes = opts.barMinutes ?? 5;
  const start = opts.start ?? "2023-01-01T00:00:00Z";
  const startPrice = opts.startPrice ?? 30_000;
  if (!(days > 0) || !Number.isFinite(days)) throw new UsageError(`days ${days} must be a positive number`);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`seed ${seed} must be an integer`);
  if (!Number.isInteger(barMinutes) || barMinutes < 1 || barMinutes > 10_080) throw new UsageError(`bar minutes ${barMinutes} must be a whole number from 1 to 10080 (a week)`);
  if (!(startPrice > 0) || !Number.isFinite(startPrice)) throw new UsageError(`start price ${startPrice} must be a positive number`);
  // A time without a zone is UTC, as in loadBars (Date.parse would read it as local time).
  const t0 = Date.parse(start.length > 10 && !/(z|[+-]\d\d(:?\d\d)?)$/i.test(start) ? start + "Z" : start);
  if (!/^\d{4}-\d\d-\d\d/.test(start) || !Number.isFinite(t0)) throw new UsageError(`start "${start}" is not an ISO 8601 time such as 2023-01-01T00:00:00Z`);
  const barMs = barMinutes * 60_000;
  const n = Math.floor((days * MS_PER_DAY) / barMs + 1e-9);
  if (n < 1) throw new UsageError(`${days} days hold no ${barMinutes}-minute bar; ask for more days`);
  if (n > MAX_BARS) throw new UsageError(`${days} days of ${barMinutes}-minute bars is ${n} bars; the generator stops at ${MAX_BARS}`);

  const bars = allocateBars(n, `generated(seed=${seed}, days=${days}, bar=${barMinutes}m)`, barMs);
  const { t, open, high, low, close, volume } = bars;
  const rng = new Sfc32(seed);
  const m = MODEL;

  const barYears = barMs / MS_PER_YEAR;
  const sigmaBar = m.annualVol * Math.sqrt(barYears);
  const persistence = Math.pow(0.5, barMs / 3_600_000 / m.volHalfLifeHours);
  const alpha = Math.min(m.garchAlpha, persistence);
  const beta = persistence - alpha;
  const omega = 1 - persistence;
  const slowPhi = Math.pow(0.5, barMs / MS_PER_DAY / m.slowVolHalfLifeDays);
  const slowStep = m.slowVolSd * Math.sqrt(1 - slowPhi * slowPhi);
  // exp(level - sd^2) has E[exp(level - sd^2)^2] = 1: the slow level leaves the mean variance alone.
  const slowShift = m.slowVolSd * m.slowVolSd;
  const regimes = m.regimes;
  const drift = regimes.map((r) => r.drift * barYears);
  const volScale = regimes.map((r) => r.volScale);
  const leave = regimes.map((r) => Math.min(1, barMs / (r.meanDays * MS_PER_DAY)));

  // Activity by minute of the UTC day and by weekday, normalised to a weekly mean of 1 so the
  // long-run variance and volume stay what MODEL says. Variance follows activity (volatility
  // and volume share their intraday shape in real markets), so sigma takes its square root.
  const intraday = new Float64Array(1440);
  for (let k = 0; k < 1440; k++) intraday[k] = 1 + m.intradayAmplitude * Math.cos((2 * Math.PI * (k / 60 - m.intradayPeakHourUtc)) / 24);
  const weekMean = m.weekday.reduce((a, b) => a + b, 0) / 7;
  const weekday = Float64Array.from(m.weekday, (w) => w / weekMean);
  const sqrtIntraday = intraday.map(Math.sqrt);
  const sqrtWeekday = weekday.map(Math.sqrt);
  const volumeBase = m.volumePerMinute * barMinutes;

  // Prices on a tick of about 1e-6 of the start price (0.01 at 30,000), volumes on 1e-4:
  // rounding keeps the CSV short and, being monotone, keeps high >= open, close >= low.
  const priceScale = Math.pow(10, Math.max(-8, Math.min(8, 6 - Math.floor(Math.log10(startPrice)))));
  const tick = 1 / priceScale;
  const roundPrice = (x: number) => Math.max(1, Math.round(x * priceScale)) / priceScale;

  // Start in a regime drawn in proportion to mean durations (roughly the chain's long-run shares).
  let regime = 0;
  {
    const total = regimes.reduce((a, r) => a + r.meanDays, 0);
    let u = rng.uniform() * total;
    while (regime < regimes.length - 1 && u > regimes[regime].meanDays) u -= regimes[regime++].meanDays;
  }
  let h = 1;
  let slow = m.slowVolSd * rng.normal();
  let prevZ = 0;
  let prevClose = roundPrice(startPrice);
  for (let i = 0; i < n; i++) {
    const ti = t0 + i * barMs;
    if (rng.uniform() <= leave[regime]) {
      const next = regimes[regime].next;
      const u = rng.uniform();
      regime = u <= next[0] ? 0 : u <= next[0] + next[1] ? 1 : 2;
    }
    h = omega + (alpha * prevZ * prevZ + beta) * h;
    slow = slowPhi * slow + slowStep * rng.normal();
    const level = volScale[regime] * Math.sqrt(h) * Math.exp(slow - slowShift);

    let minuteOfDay = Math.floor(ti / 60_000) % 1440 | 0;
    if (minuteOfDay < 0) minuteOfDay += 1440;
    let dow = (Math.floor(ti / MS_PER_DAY) + 4) % 7 | 0; // 1970-01-01 was a Thursday
    if (dow < 0) dow += 7;
    const sqrtSeason = sqrtIntraday[minuteOfDay] * sqrtWeekday[dow];
    const sigma = sigmaBar * level * sqrtSeason;
    const z = rng.studentT(m.tailDof);
    prevZ = z;

    const o = Math.max(tick, prevClose + tick * Math.round(m.openJitterTicks * rng.normal()));
    const x = drift[regime] + sigma * z;
    // Extremes of a Brownian bridge from 0 to x with variance s2: P(max > y) = exp(-2 y (y - x) / s2).
    const s2 = sigma * sigma;
    const up = 0.5 * (x + Math.sqrt(x * x - 2 * s2 * Math.log(rng.uniform())));
    const down = 0.5 * (x - Math.sqrt(x * x - 2 * s2 * Math.log(rng.uniform())));

    t[i] = ti;
    open[i] = roundPrice(o);
    close[i] = roundPrice(o * Math.exp(x));
    high[i] = roundPrice(o * Math.exp(up));
    low[i] = roundPrice(o * Math.exp(down));
    prevClose = close[i];

    const shock = 1 - m.volumeShockShare + (m.volumeShockShare * Math.abs(z)) / MEAN_ABS_Z;
    const noise = Math.exp(m.volumeNoise * rng.normal() - 0.5 * m.volumeNoise * m.volumeNoise);
    volume[i] = Math.round(volumeBase * sqrtSeason * sqrtSeason * level * shock * noise * 1e4) / 1e4;
  }
  return bars;
}

/**
 * Generate the default data set (730 days of 5-minute bars, seed 1) at `path` unless a file
 * is already there. Returns whether it generated. The install script calls this.
 */
export function ensureDefaultData(path: string = DEFAULT_DATA): boolean {
  if (existsSync(path)) return false;
  writeBarsCsv(generateBars({ days: 730, seed: 1 }), path);
  return true;
}
