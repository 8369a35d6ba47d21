/**
 * The indicator cache (Scratch) is bounded by bytes: least recently used series are
 * evicted first, never one used in the current call; evicted memory is recycled; an
 * Evaluator takes the budget as an option and results do not depend on it.
 */
import { describe, expect, it } from "vitest";
import { Evaluator } from "../../lib/engine/evaluate";
import { DEFAULT_CACHE_BYTES, Scratch } from "../../lib/strategies/scratch";
import { getStrategy } from "../../lib/strategies/registry";
import { costTable } from "../engine/fixtures";
import { randomWalkBars } from "./fixtures";

const N = 1000; // 8,000 bytes a series

describe("byte-bounded indicator cache", () => {
  it("defaults to 32 MB", () => {
    expect(DEFAULT_CACHE_BYTES).toBe(32 * 2 ** 20);
    expect(new Scratch().maxBytes).toBe(DEFAULT_CACHE_BYTES);
  });

  it("evicts the least recently used series to stay within the budget", () => {
    const s = new Scratch(3 * 8 * N);
    let computed = 0;
    const get = (k: string) => {
      s.beginCall();
      return s.cached(k, N, (o) => {
        computed++;
        o.fill(k.length);
      });
    };
    get("a");
    get("bb");
    get("ccc");
    expect(s.cachedBytes).toBe(3 * 8 * N);
    get("a"); // a is now the most recent: b goes next
    const recycled = s.cached("bb", N, () => {}); // still cached: no compute
    expect(computed).toBe(3);
    get("dddd"); // evicts ccc (least recent)
    expect(s.cachedSeries).toBe(3);
    expect(s.cachedBytes).toBeLessThanOrEqual(3 * 8 * N);
    get("ccc"); // recomputed
    expect(computed).toBe(5);
    expect(recycled[0]).toBe(2);
  });

  it("never evicts a series used in the current call, and recycles evicted memory", () => {
    const s = new Scratch(8 * N); // room for one
    s.beginCall();
    const a = s.cached("a", N, (o) => o.fill(1));
    const b = s.cached("b", N, (o) => o.fill(2)); // over budget for this call: a stays
    expect(a[0]).toBe(1);
    expect(b[0]).toBe(2);
    expect(s.cachedSeries).toBe(2);
    s.beginCall();
    const c = s.cached("c", N, (o) => o.fill(3));
    expect(c[0]).toBe(3);
    // a and b were evicted; c reuses one of their arrays.
    expect(c === a || c === b).toBe(true);
    expect(s.cachedSeries).toBe(1);
  });

  it("an Evaluator with a tiny budget gives the same results as the default one", () => {
    const bars = randomWalkBars(3000, 5);
    const costs = costTable(1, [[1e6, 0.001]]);
    const small = new Evaluator(bars, costs, { cacheBytes: 1 });
    const big = new Evaluator(bars, costs);
    const s = getStrategy("macd+regime");
    for (const [fast, slow, signal] of [
      [5, 20, 9],
      [8, 30, 5],
      [5, 30, 9],
    ]) {
      const p = { fast, slow, signal, regime_len: 300 };
      expect(small.evaluate(s, p, 1000)).toEqual(big.evaluate(s, p, 1000));
    }
    expect(small.scratch.cachedSeries).toBeLessThan(big.scratch.cachedSeries);
  });
});
