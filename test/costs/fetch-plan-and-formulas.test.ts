/**
 * The pure parts of a fetch: the size plan and its batches, the ETA counting pauses, the
 * constant-product formula (against a swap simulated on the pool's reserves), back-off with
 * jitter and Retry-After, and reading one answer at dotted paths.
 */
import { describe, expect, it } from "vitest";
import { ammImpact } from "../../lib/costs/fetch/amm";
import { monotoneBreaks, readAnswer, valueAt } from "../../lib/costs/fetch/answer";
import { backoffMs, BACKOFF_CAP_MS, parseRetryAfter } from "../../lib/costs/fetch/backoff";
import { batches, etaMs, MAX_SIZES, planSizes } from "../../lib/costs/fetch/plan";
import { UsageError } from "../../lib/errors";

describe("size plan", () => {
  it("step, 2*step, ... up to end; end last when it is not a multiple; no float drift", () => {
    expect(planSizes(1000, 5000)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(planSizes(1000, 3500)).toEqual([1000, 2000, 3000, 3500]);
    expect(planSizes(0.1, 0.5)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(planSizes(1000, 1_000_000)).toHaveLength(1000);
  });
  it("refuses a zero step, an end below the step, and typo-sized plans", () => {
    expect(() => planSizes(0, 10)).toThrow(UsageError);
    expect(() => planSizes(10, 5)).toThrow(/--end 5 must be a number >= --step 10/);
    expect(() => planSizes(1, MAX_SIZES + 1)).toThrow(/at most 10000/);
  });
  it("batches of at most `parallel`", () => {
    expect(batches([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });
  it("the ETA counts the pauses still ahead", () => {
    // 1000 sizes, 8 per batch, 60 s pauses, 2 s a batch: 125 batches, 124 pauses.
    expect(etaMs({ remaining: 1000, parallel: 8, pauseMs: 60_000, msPerBatch: 2000 })).toBe(125 * 2000 + 124 * 60_000);
    // During a pause: what is left of it, then the rest.
    expect(etaMs({ remaining: 16, parallel: 8, pauseMs: 60_000, msPerBatch: 2000, pauseLeftMs: 15_000 })).toBe(2 * 2000 + 15_000 + 60_000);
    expect(etaMs({ remaining: 16, parallel: 8, pauseMs: 60_000, msPerBatch: undefined })).toBe(Infinity);
    expect(etaMs({ remaining: 0, parallel: 8, pauseMs: 60_000, msPerBatch: undefined })).toBe(0);
  });
});

describe("constant-product pool", () => {
  const R = 30_000_000; // quote reserve
  const price = 60_000; // quote per base
  const fee = 0.003;
  const base = R / price;
  it("equals a simulated x*y=k swap, buying and selling", () => {
    for (const n of [100, 10_000, 1_000_000, 20_000_000]) {
      // Buy: n quote in, fee taken from the input, base out valued at the mid price.
      const inEff = n * (1 - fee);
      const baseOut = (base * inEff) / (R + inEff);
      expect(ammImpact(n, R, fee)).toBeCloseTo(1 - (baseOut * price) / n, 12);
      // Sell: base worth n in, quote out.
      const sellEff = (n / price) * (1 - fee);
      const quoteOut = (R * sellEff) / (base + sellEff);
      expect(ammImpact(n, R, fee)).toBeCloseTo(1 - quoteOut / n, 12);
    }
  });
  it("starts at the fee, rises with size, stays below 1", () => {
    expect(ammImpact(1e-9, R, fee)).toBeCloseTo(fee, 12);
    const xs = [1e3, 1e4, 1e5, 1e6, 1e7, 1e9].map((n) => ammImpact(n, R, fee));
    expect(monotoneBreaks(xs.map((impact, i) => ({ size: i + 1, impact, attempts: 0 })))).toEqual([]);
    expect(xs[xs.length - 1]!).toBeLessThan(1);
  });
});

describe("back-off and Retry-After", () => {
  it("doubles from 500 ms with a jitter factor in [0.5, 1), capped", () => {
    expect([0, 1, 2, 3].map((k) => backoffMs(k, 0))).toEqual([250, 500, 1000, 2000]);
    expect(backoffMs(2, 0.999)).toBeLessThan(2000);
    expect(backoffMs(2, 0.999)).toBeGreaterThan(1990);
    expect(backoffMs(30, 0.999)).toBeLessThan(BACKOFF_CAP_MS);
  });
  it("never waits less than the server asked", () => {
    expect(backoffMs(0, 0, 7000)).toBe(7000);
    expect(backoffMs(5, 0, 10)).toBe(8000);
  });
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("one answer", () => {
  const paths = { impactPath: "data.priceImpact", impactUnit: "fraction" as const, gasPath: "data.gas.usd" };
  it("reads numbers (or numeric strings) at dotted paths, array indices included", () => {
    expect(valueAt({ a: [{ b: 3 }] }, "a.0.b")).toBe(3);
    expect(readAnswer({ data: { priceImpact: "0.0012", gas: { usd: 1.25 } } }, 5000, paths, 2)).toEqual({ size: 5000, impact: 0.0012, gas: 1.25, attempts: 2 });
  });
  it("converts percent and basis points", () => {
    expect(readAnswer({ i: 0.12 }, 1, { impactPath: "i", impactUnit: "percent" }, 1)).toMatchObject({ impact: 0.0012 });
    expect((readAnswer({ i: 12 }, 1, { impactPath: "i", impactUnit: "bps" }, 1) as { impact: number }).impact).toBeCloseTo(0.0012, 15);
  });
  it("says what is wrong", () => {
    expect(readAnswer({ data: {} }, 1, paths, 1)).toBe('the answer has no field "data.priceImpact"');
    expect(readAnswer({ data: { priceImpact: "n/a" } }, 1, paths, 1)).toBe('"data.priceImpact" is "n/a", not a number');
    expect(readAnswer({ data: { priceImpact: 0.3 } }, 1, paths, 1)).toBe('the answer has no field "data.gas.usd"');
    expect(readAnswer({ data: { priceImpact: -0.1 } }, 1, paths, 1)).toMatch(/outside \[0, 1\)/);
    expect(readAnswer({ data: { priceImpact: 30 } }, 1, paths, 1)).toMatch(/is it a percentage\? see --impact-unit/);
  });
});
