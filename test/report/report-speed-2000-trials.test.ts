/**
 * The runner calls writeIntermediateReport between rounds (--report-frequency), so it must
 * stay cheap: measured here on 2,000 real trials (4 studies x 500, every metric of every
 * period). The bounds are loose (a loaded 2-core CI machine); the timings are printed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateReport, writeIntermediateReport } from "../../lib/report";
import { csvRecords, makeRunDir, type Fixture } from "./fixtures";

let fx: Fixture;

beforeAll(() => {
  fx = makeRunDir({ name: "speed", trials: 500 });
  expect(fx.lines).toHaveLength(2000);
});

describe("report speed on 2,000 trials", () => {
  it("writes an intermediate report (tables + dashboard, no curves) in well under a second or two", () => {
    writeIntermediateReport(fx.dir); // first call also copies plotly.js once
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(writeIntermediateReport(fx.dir).ms);
    const best = Math.min(...times);
    console.log(`intermediate report, 2,000 trials: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
    expect(best).toBeLessThan(3000);
    expect(csvRecords(readFileSync(join(fx.dir, "report", "period-all.csv"), "utf8"))).toHaveLength(2000);
    expect(readFileSync(join(fx.dir, "index.html"), "utf8")).toContain('"status":"running"');
  });

  it("writes the full report with curves of the top 10", () => {
    const r = generateReport(fx.dir);
    console.log(`full report with 10 curves (${fx.bars.length} bars), 2,000 trials: ${r.ms.toFixed(0)} ms`);
    expect(r.curves).toBe(10);
    expect(r.ms).toBeLessThan(10_000);
  });
});
