/**
 * Trial times and the worker index are optional in the journal: a line written without
 * them (an older journal) still loads, for resume and for reports, whose timeline then
 * says it has no times; a line with them of the wrong type is still refused.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TrialJournal } from "../../lib/optimize/storage";
import { buildModel } from "../../lib/report/dashboard/model";
import { loadRun } from "../../lib/report/run";
import { summarize } from "../../lib/report/tables";
import { makeRunDir } from "../report/fixtures";
import { lines, removeTempDirs, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

function withoutTimes(text: string): string {
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      delete o.started;
      delete o.finished;
      delete o.worker;
      return JSON.stringify(o) + "\n";
    })
    .join("");
}

describe("a journal without trial times", () => {
  it("loads for resume and reads in full", () => {
    const path = join(tempDir(), "trials.jsonl");
    writeFileSync(path, withoutTimes(lines(0, 5).map((l) => JSON.stringify(l)).join("\n")));
    const j = new TrialJournal(path);
    const opened = j.openForAppend({ results: false });
    expect(opened.trials.map((t) => t.id)).toEqual([0, 1, 2, 3, 4]);
    expect(opened.trials[0].started).toBeUndefined();
    j.close();
    expect(new TrialJournal(path).read().trials).toHaveLength(5);
  });

  it("refuses a worker that is not an index", () => {
    const path = join(tempDir(), "trials.jsonl");
    const bad = { ...lines(0, 1)[0], worker: "w1" };
    writeFileSync(path, JSON.stringify(bad) + "\n" + JSON.stringify(lines(1, 2)[0]) + "\n");
    expect(() => new TrialJournal(path).read()).toThrow(/line 1: .*worker "w1" is not a worker index/);
  });

  it("gives the dashboard no timeline, and everything else", () => {
    const fx = makeRunDir({ name: "old", trials: 4, strategies: ["sma_cross"], objectives: ["mar"] });
    const file = join(fx.dir, "trials.jsonl");
    writeFileSync(file, withoutTimes(readFileSync(file, "utf8")));
    const run = loadRun(fx.dir);
    const m = buildModel({ run, summaries: summarize(run), status: "complete", topN: 3, curves: null, curvesNote: "", maxCurvePoints: 100, files: [] });
    expect(m.timeBase).toBeNull();
    expect(m.trials.t0).toEqual([null, null, null, null]);
    expect(m.trials.w).toEqual([null, null, null, null]);
    expect(m.trials.id).toEqual([0, 1, 2, 3]);
  });
});
