/**
 * The swap-cost table (EVALUATOR-CONTRACT "Cost table"): validation with messages that
 * name the field, and the round-up bucket lookup.
 */
import { describe, expect, it } from "vitest";
import { bucketIndex, costTableToJson, parseCostTable, swapCost } from "../../lib/costs/cost-table";
import { CostError } from "../../lib/errors";

const good = {
  gas: 0.5,
  buckets: [
    { size: 100, impact: 0.001 },
    { size: 1000, impact: 0.002 },
    { size: 5000, impact: 0.004 },
  ],
};

/** The CostError thrown by parsing `raw` (fails the test when nothing is thrown). */
function errorOf(raw: unknown, where?: string): CostError {
  try {
    parseCostTable(raw, where);
  } catch (e) {
    expect(e).toBeInstanceOf(CostError);
    return e as CostError;
  }
  throw new Error("parseCostTable accepted an invalid table");
}

describe("parseCostTable", () => {
  it("accepts a valid table, keeps meta, refuses other keys (issue 9)", () => {
    expect(() => parseCostTable({ ...good, note: "typo?" })).toThrow(/unknown key "note"; a cost table has gas, buckets, meta/);
    expect(() => parseCostTable({ gas: 1, buckets: [{ size: 1, impact: 0, fee: 2 }] })).toThrow(/buckets\[0\] has unknown key "fee"/);
    expect(() => parseCostTable({ gas: 1e308, buckets: [{ size: 1, impact: 0 }] })).toThrow(/"gas" must be a number >= 0 and <= 1000000 .*got 1e\+308/);
    const t = parseCostTable({ ...good, meta: { quote: "USD" } });
    expect(t.gas).toBe(0.5);
    expect(Array.from(t.sizes)).toEqual([100, 1000, 5000]);
    expect(Array.from(t.impacts)).toEqual([0.001, 0.002, 0.004]);
    expect(t.meta).toEqual({ quote: "USD" });
    expect(costTableToJson(t)).toEqual({ ...good, meta: { quote: "USD" } });
    expect(parseCostTable({ gas: 0, buckets: [{ size: 1, impact: 0 }] }).gas).toBe(0); // gas 0 and impact 0 are allowed
  });

  const invalid: [string, unknown, RegExp][] = [
    ["not an object", 42, /expected a JSON object with "gas" and "buckets"/],
    ["an array", [good], /expected a JSON object/],
    ["null", null, /expected a JSON object/],
    ["gas missing", { buckets: good.buckets }, /"gas" must be a number >= 0.*got undefined/],
    ["gas negative", { ...good, gas: -1 }, /"gas" must be a number >= 0.*got -1/],
    ["gas a string", { ...good, gas: "0.5" }, /"gas" must be a number >= 0.*got "0.5"/],
    ["buckets missing", { gas: 1 }, /"buckets" must be a non-empty array/],
    ["buckets empty", { gas: 1, buckets: [] }, /"buckets" must be a non-empty array/],
    ["a bucket not an object", { gas: 1, buckets: [5] }, /buckets\[0\]\.size must be a number > 0 and <= 1000000000000000, got undefined/],
    ["size zero", { gas: 1, buckets: [{ size: 0, impact: 0.1 }] }, /buckets\[0\]\.size must be a number > 0 and <= 1000000000000000, got 0/],
    ["size negative", { gas: 1, buckets: [{ size: -5, impact: 0.1 }] }, /buckets\[0\]\.size must be a number > 0 and <= 1000000000000000, got -5/],
    ["impact negative", { gas: 1, buckets: [{ size: 5, impact: -0.1 }] }, /buckets\[0\]\.impact must be a fraction in \[0, 1\), got -0.1/],
    ["impact 1", { gas: 1, buckets: [{ size: 5, impact: 1 }] }, /buckets\[0\]\.impact must be a fraction in \[0, 1\), got 1/],
    ["impact missing", { gas: 1, buckets: [{ size: 5 }] }, /buckets\[0\]\.impact must be a fraction/],
    [
      "sizes equal",
      { gas: 1, buckets: [{ size: 100, impact: 0.1 }, { size: 100, impact: 0.2 }] },
      /buckets\[1\]\.size 100 must be greater than buckets\[0\]\.size 100 \(sizes strictly increasing\)/,
    ],
    [
      "sizes decreasing",
      { gas: 1, buckets: [{ size: 100, impact: 0.1 }, { size: 1000, impact: 0.2 }, { size: 500, impact: 0.3 }] },
      /buckets\[2\]\.size 500 must be greater than buckets\[1\]\.size 1000/,
    ],
  ];
  for (const [what, raw, message] of invalid) {
    it(`rejects ${what}, naming the field`, () => {
      const e = errorOf(raw, "data/x.json");
      expect(e.message).toMatch(/^data\/x\.json: /);
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain("\n");
    });
  }

  it("names 'cost table' when no file is given", () => {
    expect(errorOf({ gas: -1, buckets: [] }).message).toMatch(/^cost table: "gas"/);
  });
});

describe("bucketIndex and swapCost round up", () => {
  const t = parseCostTable(good);
  const cases: [number, number][] = [
    [0, 0],
    [1, 0],
    [100, 0], // exactly a size: that bucket
    [100.000001, 1], // just above: the next
    [999.99, 1],
    [1000, 1],
    [1000.5, 2],
    [5000, 2], // exactly the largest
    [5000.01, 2], // above the largest: the largest (the caller flags it)
    [1e12, 2],
  ];
  for (const [n, k] of cases) {
    it(`N = ${n} -> bucket ${k}`, () => {
      expect(bucketIndex(t.sizes, n)).toBe(k);
      expect(swapCost(t, n)).toBe(n * t.impacts[k] + 0.5);
    });
  }

  it("agrees with a linear scan on many notionals and a long table", () => {
    const sizes = Float64Array.from({ length: 37 }, (_, i) => 10 * 1.7 ** i);
    for (let i = 0; i < 5000; i++) {
      const n = i % 2 ? sizes[i % 37] : 10 ** (Math.sin(i) * 12);
      let want = sizes.findIndex((s) => s >= n);
      if (want < 0) want = sizes.length - 1;
      expect(bucketIndex(sizes, n)).toBe(want);
    }
  });
});
