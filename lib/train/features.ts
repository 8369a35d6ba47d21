/**
 * Features of bars for the direction model, and the labelled, split, normalised data set.
 * Pure: arrays in, arrays out.
 *
 * Every feature of bar i is computed from bars 0..i only (running sums and Wilder's RSI move
 * forward in time), so changing later bars never changes an earlier row
 * (test/train/features.test.ts). The label of row i is the sign of the next h-bar return:
 * 1 when close[i + h] > close[i], else 0.
 *
 * Rows are split in time order into train / validation / test. Between two splits `h` rows
 * are dropped (an embargo): the label of the last training row looks h bars ahead, into the
 * validation period, and would otherwise leak it. Features are standardised with the
 * training rows' mean and standard deviation only.
 */
import type { Bars } from "../data/bars";
import { DataError } from "../errors";
import { rsiWilder } from "../strategies/indicators/rsi";

/** Names and order of the features; a model records them and refuses others (FEATURES_VERSION). */
export const FEATURE_NAMES = ["ret_1", "ret_3", "ret_12", "ret_48", "vol_12", "vol_48", "sma_gap_48", "rsi_14", "range"] as const;
export const FEATURES_VERSION = 1;
/** Bars before the first complete row (the longest look-back). */
export const WARM_UP = 48;

export interface FeatureSpec {
  version: number;
  names: string[];
  warmUp: number;
}

export function featureSpec(): FeatureSpec {
  return { version: FEATURES_VERSION, names: [...FEATURE_NAMES], warmUp: WARM_UP };
}

/**
 * Raw (unnormalised) features, row-major n x F; rows before WARM_UP are zeros.
 * Allocates `out` when not given.
 */
export function computeFeatures(bars: Pick<Bars, "close" | "high" | "low" | "length">, out?: Float64Array): Float64Array {
  const { close, high, low } = bars;
  const n = bars.length;
  const F = FEATURE_NAMES.length;
  const x = out ?? new Float64Array(n * F);
  x.fill(0);
  const rsi = rsiWilder(close, 14, new Float64Array(n));
  // Running sums over the last 12 / 48 squared log returns and the last 48 closes.
  let sq12 = 0;
  let sq48 = 0;
  let sum48 = 0;
  const sq = (k: number) => (k >= 1 ? Math.log(close[k] / close[k - 1]) ** 2 : 0);
  for (let i = 0; i < n; i++) {
    sq12 += sq(i) - (i >= 12 ? sq(i - 12) : 0);
    sq48 += sq(i) - (i >= 48 ? sq(i - 48) : 0);
    sum48 += close[i] - (i >= 48 ? close[i - 48] : 0);
    if (i < WARM_UP) continue;
    const c = close[i];
    const o = i * F;
    x[o] = Math.log(c / close[i - 1]);
    x[o + 1] = Math.log(c / close[i - 3]);
    x[o + 2] = Math.log(c / close[i - 12]);
    x[o + 3] = Math.log(c / close[i - 48]);
    x[o + 4] = Math.sqrt(Math.max(0, sq12) / 12);
    x[o + 5] = Math.sqrt(Math.max(0, sq48) / 48);
    x[o + 6] = c / (sum48 / 48) - 1;
    x[o + 7] = rsi[i] / 100 - 0.5;
    x[o + 8] = (high[i] - low[i]) / c;
  }
  return x;
}

/** Mean and standard deviation per feature (the training split's). */
export interface Normalisation {
  mean: number[];
  std: number[];
}

export interface SplitConfig {
  /** Bars ahead the label looks (h). */
  horizon: number;
  /** Shares of rows, in time order; the test split gets the rest. */
  trainFraction: number;
  valFraction: number;
}

/** Fewest rows a split may have. */
export const MIN_SPLIT_ROWS = 32;

export interface Range {
  /** Rows [from, to) of the data set; bar index of row r is WARM_UP + r. */
  from: number;
  to: number;
}

export interface DirectionDataset {
  features: readonly string[];
  /** Row-major rows x features, standardised, float32 (what the network sees). */
  x: Float32Array;
  /** 1 when close[i + h] > close[i], else 0. */
  y: Float32Array;
  rows: number;
  train: Range;
  val: Range;
  test: Range;
  normalisation: Normalisation;
  /** Bar index of row 0 (WARM_UP). */
  firstBar: number;
}

export function splitRows(rows: number, cfg: SplitConfig): { train: Range; val: Range; test: Range } {
  const trainTo = Math.floor(rows * cfg.trainFraction);
  const valFrom = trainTo + cfg.horizon;
  const valTo = Math.floor(rows * (cfg.trainFraction + cfg.valFraction));
  const testFrom = valTo + cfg.horizon;
  return { train: { from: 0, to: trainTo }, val: { from: valFrom, to: valTo }, test: { from: testFrom, to: rows } };
}

export function directionDataset(bars: Pick<Bars, "close" | "high" | "low" | "length" | "source">, cfg: SplitConfig): DirectionDataset {
  const n = bars.length;
  const F = FEATURE_NAMES.length;
  const rows = Math.max(0, n - WARM_UP - cfg.horizon);
  const split = splitRows(rows, cfg);
  const sizes = [split.train, split.val, split.test].map((r) => r.to - r.from);
  if (sizes.some((s) => s < MIN_SPLIT_ROWS)) {
    const need = Math.ceil((MIN_SPLIT_ROWS + cfg.horizon) / Math.min(cfg.trainFraction, cfg.valFraction, 1 - cfg.trainFraction - cfg.valFraction)) + WARM_UP + cfg.horizon;
    throw new DataError(`${bars.source}: ${n} bars are too few for the train/validation/test split (${sizes.join("/")} rows; each needs ${MIN_SPLIT_ROWS}); use about ${need} bars or more`);
  }
  const raw = computeFeatures(bars);
  const mean = new Array<number>(F).fill(0);
  const std = new Array<number>(F).fill(0);
  const { from, to } = split.train;
  for (let f = 0; f < F; f++) {
    let m = 0;
    for (let r = from; r < to; r++) m += raw[(r + WARM_UP) * F + f];
    m /= to - from;
    let v = 0;
    for (let r = from; r < to; r++) v += (raw[(r + WARM_UP) * F + f] - m) ** 2;
    mean[f] = m;
    std[f] = Math.sqrt(v / (to - from)) || 1;
  }
  const x = new Float32Array(rows * F);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = r + WARM_UP;
    for (let f = 0; f < F; f++) x[r * F + f] = (raw[i * F + f] - mean[f]) / std[f];
    y[r] = bars.close[i + cfg.horizon] > bars.close[i] ? 1 : 0;
  }
  return { features: FEATURE_NAMES, x, y, rows, ...split, normalisation: { mean, std }, firstBar: WARM_UP };
}
