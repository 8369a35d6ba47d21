/** The notebook's cost chart: impact against size as the evaluator applies it (round up), and whether the table was fetched. */
import { describe, expect, it } from "vitest";
import { parseCostTable } from "../../lib/costs/cost-table";
import { costsFigure } from "../../lib/notebook/costs";
import { DEFAULT_COSTS } from "../../lib/paths";

describe("costsFigure", () => {
  it("plots each bucket's impact (%) at its size, stepping up from the previous size, and the whole cost with gas", () => {
    const table = parseCostTable({ gas: 2, buckets: [{ size: 1000, impact: 0.001 }, { size: 10_000, impact: 0.004 }], meta: { kind: "fetched", fetched_at: "2026-11-28T00:00:00Z", source: "http", sizes: 2, requests: 2, retries: 0 } });
    const fig = costsFigure(table);
    const [impact, cost] = fig.data;
    expect(impact!.x).toEqual([1000, 10_000]);
    expect(impact!.y).toEqual([0.1, 0.4]);
    expect((impact!.line as { shape: string }).shape).toBe("vh");
    expect(cost!.y).toEqual([((1000 * 0.001 + 2) / 1000) * 100, ((10_000 * 0.004 + 2) / 10_000) * 100]);
    expect(JSON.stringify(fig.layout!.title)).toContain("fetched");
    expect(JSON.stringify(fig.layout!.title)).not.toContain("NOT");
  });
  it("the shipped, hand-written table is titled as not fetched", () => {
    expect(JSON.stringify(costsFigure(DEFAULT_COSTS).layout!.title)).toContain("NOT fetched data");
  });
});
