/**
 * A next-bar direction data set from bars: a few indicator features known at the close of bar
 * `i`, and the label "the next close is higher" (1) or not (0). Pure: arrays in, arrays out.
 *
 * Rows are in time order; the first `trainFraction` of them train, the rest test (no shuffling
 * across time, so the test rows are the future of the training rows). Features are standardised
 * with the training rows' mean and standard deviation.
 */
import type { Bars } from "../data/bars";
import { rsiWilder } from "../strategies/indicators/rsi";

export const FEATURE_NAMES = ["return_1", "return_12", "sma_48_gap", "rsi_14", "volatility_48", "range"] as const;
const F = FEATURE_NAMES.length;
const WARM_UP = 48;

export interface DirectionDataset {
  features: readonly string[];
  /** Row-major, rows x features, standardised. */
  x: Float32Array;
  /** 1 when close[i+1] > close[i], else 0. */
  y: Float32Array;
  rows: number;
  /** Rows [0, trainRows) train, [trainRows, rows) test. */
  trainRows: number;
  /** Bar index of each row. */
  bar: Int32Array;
  mean: number[];
  std: number[];
}

export function directionDataset(bars: Pick<Bars, "close" | "high" | "low" | "length">, trainFraction = 0.8): DirectionDataset {
  const { close, high, low } = bars;
  const n = bars.length;
  const rows = Math.max(0, n - 1 - WARM_UP);
  if (rows < 10) throw new RangeError(`${n} bars give ${rows} rows; a direction data set needs at least ${WARM_UP + 11} bars`);
  if (!(trainFraction > 0 && trainFraction < 1)) throw new RangeError(`trainFraction ${trainFraction} must be in (0, 1)`);
  const rsi = rsiWilder(close, 14, new Float64Array(n));
  const raw = new Float64Array(rows * F);
  const bar = new Int32Array(rows);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = r + WARM_UP;
    let sum = 0;
    let sumSq = 0;
    for (let k = i - WARM_UP + 1; k <= i; k++) {
      const lr = Math.log(close[k] / close[k - 1]);
      sum += close[k];
      sumSq += lr * lr;
    }
    const o = r * F;
    raw[o] = Math.log(close[i] / close[i - 1]);
    raw[o + 1] = Math.log(close[i] / close[i - 12]);
    raw[o + 2] = close[i] / (sum / WARM_UP) - 1;
    raw[o + 3] = rsi[i] / 100 - 0.5;
    raw[o + 4] = Math.sqrt(sumSq / WARM_UP);
    raw[o + 5] = (high[i] - low[i]) / close[i];
    bar[r] = i;
    y[r] = close[i + 1] > close[i] ? 1 : 0;
  }
  const trainRows = Math.max(1, Math.min(rows - 1, Math.floor(rows * trainFraction)));
  const mean = new Array<number>(F).fill(0);
  const std = new Array<number>(F).fill(0);
  for (let f = 0; f < F; f++) {
    let m = 0;
    for (let r = 0; r < trainRows; r++) m += raw[r * F + f];
    m /= trainRows;
    let v = 0;
    for (let r = 0; r < trainRows; r++) v += (raw[r * F + f] - m) ** 2;
    mean[f] = m;
    std[f] = Math.sqrt(v / trainRows) || 1;
  }
  const x = new Float32Array(rows * F);
  for (let r = 0; r < rows; r++) for (let f = 0; f < F; f++) x[r * F + f] = (raw[r * F + f] - mean[f]) / std[f];
  return { features: FEATURE_NAMES, x, y, rows, trainRows, bar, mean, std };
}
