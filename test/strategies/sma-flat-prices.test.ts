/**
 * An SMA over a window of equal closes is exactly that close, however long the series
 * before it, so sma_cross never signals on flat prices. Without the flat-window rule,
 * c = 123.4 after this trend gave SMA12 one ulp above SMA26 and a spurious long position
 * over the whole flat stretch (measured on the compensated-sum-only kernel: 49,974 bars).
 */
import { describe, expect, test } from "vitest";
import { sma } from "../../lib/strategies/indicators/rolling";
import { smaCross } from "../../lib/strategies/sma-cross";
import { barsOf, signalOf } from "./fixtures";

const N = 200_000;
const FLAT_FROM = 150_000;

function trendThenFlat(c: number): Float64Array {
  const x = new Float64Array(N);
  for (let i = 0; i < FLAT_FROM; i++) x[i] = 50 + 0.0005 * i + Math.sin(i / 7);
  x.fill(c, FLAT_FROM);
  return x;
}

describe("SMA on flat prices after a 150k-bar trend", () => {
  for (const c of [123.4, 127.3, 126.1, 0.1 + 0.2]) {
    test(`windows 2..64, 100, 288, 1000, 2016 give exactly ${c} on the flat stretch`, () => {
      const x = trendThenFlat(c);
      const out = new Float64Array(N);
      const off: string[] = [];
      for (const n of [...Array.from({ length: 63 }, (_, k) => k + 2), 100, 288, 1000, 2016]) {
        sma(x, n, out);
        for (let i = FLAT_FROM + n - 1; i < N; i++) {
          if (out[i] !== c) {
            off.push(`n=${n} i=${i}: ${out[i]}`);
            break;
          }
        }
      }
      expect(off).toEqual([]);
    });
  }

  test("sma_cross is flat (w = 0) across the flat stretch", () => {
    const bars = barsOf(trendThenFlat(123.4));
    for (const [fast, slow] of [
      [3, 5],
      [12, 26],
      [20, 100],
    ]) {
      const w = signalOf(smaCross, bars, { fast, slow });
      const longOnFlat = w.slice(FLAT_FROM + slow - 1).reduce((a, b) => a + b, 0);
      expect(longOnFlat, `fast ${fast} slow ${slow}`).toBe(0);
    }
  });
});
