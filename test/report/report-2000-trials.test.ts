/**
 * Reports of a run of 2,000 real trials (4 studies x 500, every metric of every period):
 * the intermediate report the runner writes between rounds (--report-frequency) and the
 * final one with curves. Their speed is measured by `npm run bench -- report`
 * (docs/benchmarks.md), not here: timed tests fail on a loaded machine.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateReport, writeIntermediateReport } from "../../lib/report";
import { csvRecords, makeRunDir, type Fixture } from "./fixtures";

let fx: Fixture;

beforeAll(() => {
  fx = makeRunDir({ name: "large", trials: 500 });
  expect(fx.lines).toHaveLength(2000);
});

describe("reports of 2,000 trials", () => {
  it("writes an intermediate report: every trial in the tables, the run marked running, no curves", () => {
    const r = writeIntermediateReport(fx.dir);
    expect(r.trials).toBe(2000);
    expect(r.curves).toBe(0);
    expect(csvRecords(readFileSync(join(fx.dir, "report", "period-all.csv"), "utf8"))).toHaveLength(2000);
    expect(readFileSync(join(fx.dir, "index.html"), "utf8")).toContain('"status":"running"');
  });

  it("writes the full report with curves of the top 10", () => {
    const r = generateReport(fx.dir);
    expect(r.trials).toBe(2000);
    expect(r.curves).toBe(10);
  });
});
