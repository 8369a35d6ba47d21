/**
 * priorMax / priorMin (the Donchian channels) equal a direct max / min over the n bars
 * before each bar, for window lengths around the block boundaries of the kernel, longer
 * than the data, and with ties.
 */
import { expect, test } from "vitest";
import { priorMax, priorMin } from "../../lib/strategies/indicators/rolling";
import { randomWalkBars, rng } from "./fixtures";

const walk = randomWalkBars(997, 3).close; // a prime length: the last block is partial
const u = rng(9);
const ties = Float64Array.from({ length: 500 }, () => Math.floor(u() * 4)); // many equal values

test.each([1, 2, 3, 7, 16, 100, 499, 500, 501, 996, 997, 2000])("window %i", (n) => {
  for (const x of [walk, ties]) {
    const len = x.length;
    const max = new Float64Array(len);
    const min = new Float64Array(len);
    const work = new Int32Array(len).fill(-7); // garbage from a previous user
    priorMax(x, n, max, work);
    priorMin(x, n, min, work);
    const bad: string[] = [];
    for (let i = 0; i < len; i++) {
      const want = i < n ? [NaN, NaN] : [Math.max(...x.subarray(i - n, i)), Math.min(...x.subarray(i - n, i))];
      if (!Object.is(max[i], want[0]) || !Object.is(min[i], want[1])) bad.push(`i=${i}: ${max[i]}/${min[i]}, want ${want}`);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  }
});
