import { appendFileSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateReport, writeIntermediateReport } from "../../lib/report";
import { csvRecords, makeRunDir } from "./fixtures";

const small = () => makeRunDir({ trials: 6, strategies: ["sma_cross"], objectives: ["mar"] });
const rowsOf = (dir: string) => csvRecords(readFileSync(join(dir, "report", "period-all.csv"), "utf8"));

describe("reports read a journal they must not change", () => {
  it("ignores an unterminated last line with a warning, and leaves the journal as it was", () => {
    const fx = small();
    const journal = join(fx.dir, "trials.jsonl");
    const whole = readFileSync(journal, "utf8");
    const cut = whole.split("\n")[0].slice(0, 200); // a line cut mid-write
    appendFileSync(journal, cut);
    const before = readFileSync(journal);
    const warnings: string[] = [];
    const r = generateReport(fx.dir, { curves: false, onWarning: (w) => warnings.push(w) });
    expect(r.trials).toBe(6);
    expect(rowsOf(fx.dir)).toHaveLength(6);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/trials\.jsonl line 7: ignored a torn last line/);
    expect(r.warnings).toEqual(warnings);
    expect(JSON.parse(readFileSync(join(fx.dir, "report", "summary.json"), "utf8")).warnings).toEqual(warnings);
    expect(readFileSync(journal).equals(before)).toBe(true);
  });

  it("ignores a terminated but unparsable last line", () => {
    const fx = small();
    appendFileSync(join(fx.dir, "trials.jsonl"), '{"v":1,"id":99,"study":\n');
    const warnings: string[] = [];
    expect(writeIntermediateReport(fx.dir, { onWarning: (w) => warnings.push(w) }).trials).toBe(6);
    expect(warnings.join("\n")).toMatch(/line 7: ignored a torn last line/);
  });

  it("skips a damaged line in the middle with a warning naming it, keeping the others", () => {
    const fx = small();
    const journal = join(fx.dir, "trials.jsonl");
    const lines = readFileSync(journal, "utf8").split("\n");
    lines.splice(2, 0, "garbage that is not json");
    writeFileSync(journal, lines.join("\n"));
    const warnings: string[] = [];
    const r = generateReport(fx.dir, { curves: false, onWarning: (w) => warnings.push(w) });
    expect(r.trials).toBe(6);
    expect(warnings).toEqual([expect.stringMatching(/trials\.jsonl line 3: skipped \(not valid JSON/)]);
  });

  it("reports a run whose journal does not exist yet as zero trials", () => {
    const fx = small();
    unlinkSync(join(fx.dir, "trials.jsonl"));
    const warnings: string[] = [];
    const r = writeIntermediateReport(fx.dir, { onWarning: (w) => warnings.push(w) });
    expect(r.trials).toBe(0);
    expect(r.status).toBe("running");
    expect(warnings.join("\n")).toMatch(/does not exist yet/);
    expect(rowsOf(fx.dir)).toEqual([]);
    expect(readFileSync(r.index, "utf8")).toContain("<!doctype html>");
  });
});
