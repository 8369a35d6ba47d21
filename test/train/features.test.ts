/**
 * Features have no look-ahead: replacing every bar after k with other prices leaves the
 * features of bars 0..k unchanged, bit for bit; the normalisation comes from the training
 * split only; the split is in time order with an h-row embargo; labels are the sign of the
 * next h-bar return; too few bars for the split is a one-line DataError.
 */
import { expect, test } from "vitest";
import { barsFromColumns, type Bars } from "../../lib/data/bars";
import { generateBars } from "../../lib/data/generate";
import { DataError } from "../../lib/errors";
import { computeFeatures, directionDataset, FEATURE_NAMES, WARM_UP } from "../../lib/train/features";
import { rng } from "../random/mulberry32";

const F = FEATURE_NAMES.length;
const bars = generateBars({ days: 6, seed: 11 });

/** The same bars up to k, then a different random path (prices, ranges) after it. */
function changedAfter(b: Bars, k: number, seed: number): Bars {
  const u = rng(seed);
  const col = (x: Float64Array, scale: number) => Array.from(x, (v, i) => (i <= k ? v : v * (1 + scale * (u() - 0.5))));
  const close = col(b.close, 0.2);
  return barsFromColumns({ t: Array.from(b.t), open: col(b.open, 0.2), high: close.map((c, i) => (i <= k ? b.high[i]! : c * 1.01)), low: close.map((c, i) => (i <= k ? b.low[i]! : c * 0.99)), close, volume: Array.from(b.volume) });
}

test("changing future bars does not change past features (bit for bit), at several cut points", () => {
  const base = computeFeatures(bars);
  for (const [k, seed] of [[WARM_UP, 1], [500, 2], [1000, 3], [bars.length - 2, 4]] as const) {
    const other = computeFeatures(changedAfter(bars, k, seed));
    for (let i = 0; i <= k; i++) for (let f = 0; f < F; f++) if (!Object.is(other[i * F + f], base[i * F + f])) throw new Error(`cut ${k}: feature ${FEATURE_NAMES[f]} of bar ${i} changed`);
    // and the test is not vacuous: a later feature does change
    expect(other.subarray((k + 1) * F, (k + 2) * F)).not.toEqual(base.subarray((k + 1) * F, (k + 2) * F));
  }
  expect(base.subarray(0, WARM_UP * F).every((v) => v === 0)).toBe(true);
  expect(base.subarray(WARM_UP * F).every((v) => Number.isFinite(v))).toBe(true);
});

test("normalisation from the training split only; time-ordered split with an h-row embargo; labels = sign of the next h-bar return", () => {
  const cfg = { horizon: 3, trainFraction: 0.6, valFraction: 0.2 };
  const d = directionDataset(bars, cfg);
  expect(d.rows).toBe(bars.length - WARM_UP - 3);
  expect(d.train.from).toBe(0);
  expect(d.val.from).toBe(d.train.to + 3);
  expect(d.test.from).toBe(d.val.to + 3);
  expect(d.test.to).toBe(d.rows);
  for (let r = 0; r < d.rows; r++) {
    const i = r + WARM_UP;
    expect(d.y[r]).toBe(bars.close[i + 3]! > bars.close[i]! ? 1 : 0);
  }
  // Validation and test bars (and labels) changed: the same normalisation, the same training rows.
  const firstNotTrain = WARM_UP + d.train.to;
  const other = directionDataset(changedAfter(bars, firstNotTrain - 1, 9), cfg);
  expect(other.normalisation).toEqual(d.normalisation);
  expect(other.x.subarray(0, (d.train.to - 3) * F)).toEqual(d.x.subarray(0, (d.train.to - 3) * F));
  // Standardised training rows: mean ~0, std ~1 per feature.
  for (let f = 0; f < F; f++) {
    let m = 0;
    for (let r = 0; r < d.train.to; r++) m += d.x[r * F + f]!;
    expect(Math.abs(m / d.train.to)).toBeLessThan(1e-5);
  }
});

test("data too short for the split: one-line DataError naming the file and what is needed", () => {
  const short = generateBars({ days: 1, seed: 1 });
  const fewer = barsFromColumns({ t: Array.from(short.t).slice(0, 150), open: Array.from(short.open).slice(0, 150), high: Array.from(short.high).slice(0, 150), low: Array.from(short.low).slice(0, 150), close: Array.from(short.close).slice(0, 150), volume: Array.from(short.volume).slice(0, 150) });
  let err: unknown;
  try {
    directionDataset(fewer, { horizon: 1, trainFraction: 0.7, valFraction: 0.15 });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataError);
  expect((err as Error).message).toMatch(/150 bars are too few for the train\/validation\/test split .* each needs 32\); use about \d+ bars or more$/);
  expect((err as Error).message).not.toContain("\n");
});
