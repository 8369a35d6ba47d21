import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunError } from "../../lib/errors";
import { TrialJournal, type TrialLine } from "../../lib/optimize/storage";
import { line, lines, removeTempDirs, STUDY, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

const journalIn = (dir: string) => new TrialJournal(join(dir, "trials.jsonl"));
const withoutResults = (t: TrialLine) => {
  const { results: _r, ...rest } = t;
  return rest;
};

describe("trial journal: append and replay", () => {
  it("replays exactly what was appended, one newline-terminated line per trial", () => {
    const j = journalIn(tempDir());
    j.openForAppend();
    const a = lines(0, 5);
    const b = [line(5, STUDY, { state: "failed", value: null, results: [], error: "worker crashed" }), line(6, STUDY, { state: "pruned", value: null })];
    j.append(a);
    j.append(b);
    j.close();
    const text = readFileSync(j.path, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.split("\n")).toHaveLength(8); // 7 lines and the empty string after the last "\n"
    const r = j.read();
    expect(r.trials).toEqual([...a, ...b]);
    expect(r.torn).toBeNull();
    expect(r.corrupt).toEqual([]);
    expect(r.cleanBytes).toBe(statSync(j.path).size);
  });

  it("writes results last, so a summary read can stop before them", () => {
    const j = journalIn(tempDir());
    j.openForAppend();
    j.append([line(0, STUDY, { error: "x" })]);
    const text = readFileSync(j.path, "utf8");
    expect(Object.keys(JSON.parse(text))).toEqual(["v", "id", "study", "params", "value", "state", "started", "finished", "worker", "error", "results"]);
  });

  it("writes only the schema's fields of a result (no curves or fills of an EvalResult)", () => {
    const j = journalIn(tempDir());
    j.openForAppend();
    const t = line(0);
    const withCurves = { ...t.results[0], equity: new Float64Array(1000), fills: [{ bar: 1 }], bars_evaluated: 10 };
    j.append([{ ...t, results: [withCurves] }]);
    expect(j.read().trials).toEqual([t]);
  });

  it("reads summaries equal to the full lines without results", () => {
    const dir = tempDir();
    const j = journalIn(dir);
    j.openForAppend();
    const all = [...lines(0, 20), ...lines(0, 5, "rsi|cps|90d")];
    j.append(all);
    const s = j.read({ results: false });
    expect(s.trials).toEqual(all.map(withoutResults));
    expect(s.trials.every((t) => !("results" in t))).toBe(true);
  });

  it("reads summaries of lines written in another key order (results first) by parsing them whole", () => {
    const dir = tempDir();
    const t = line(3);
    const reordered = JSON.stringify({ results: t.results, ...withoutResults(t) });
    writeFileSync(join(dir, "trials.jsonl"), JSON.stringify(line(2)) + "\n" + reordered + "\n");
    const s = journalIn(dir).read({ results: false });
    expect(s.trials).toEqual([withoutResults(line(2)), withoutResults(t)]);
  });

  it("reads a missing journal as empty and creates it on openForAppend", () => {
    const j = journalIn(tempDir());
    expect(j.read()).toEqual({ trials: [], torn: null, corrupt: [], cleanBytes: 0 });
    expect(existsSync(j.path)).toBe(false);
    const o = j.openForAppend();
    expect(o.trials).toEqual([]);
    expect(existsSync(j.path)).toBe(true);
    j.append([]);
    expect(statSync(j.path).size).toBe(0);
  });

  it("refuses to append before openForAppend", () => {
    expect(() => journalIn(tempDir()).append([line(0)])).toThrow(/openForAppend/);
  });

  it("crosses read-chunk boundaries (8 MB) without losing or splitting lines", () => {
    const j = journalIn(tempDir());
    j.openForAppend();
    for (let i = 0; i < 4000; i += 500) j.append(lines(i, i + 500));
    expect(statSync(j.path).size).toBeGreaterThan(9 << 20);
    const r = j.read();
    expect(r.trials.map((t) => t.id)).toEqual(Array.from({ length: 4000 }, (_, i) => i));
    expect(r.trials[2345]).toEqual(line(2345));
  });

  // Replay speed (100k lines) is measured by `npm run bench -- storage` (docs/benchmarks.md).
  it("reads two interleaved studies across read-chunk boundaries, summaries and full, result-less lines included", () => {
    const j = journalIn(tempDir());
    j.openForAppend();
    const failed = { state: "failed" as const, value: null, results: [], error: "ParamError: fast must be < slow" };
    const all = Array.from({ length: 4000 }, (_, i) => line(i >> 1, i % 2 ? "rsi_reversion|cps|90d" : STUDY, i % 7 === 3 ? failed : {}));
    for (let i = 0; i < all.length; i += 500) j.append(all.slice(i, i + 500));
    expect(statSync(j.path).size).toBeGreaterThan(8 << 20);
    expect(j.read({ results: false }).trials).toEqual(all.map(withoutResults));
    expect(j.read().trials).toEqual(all);
  });
});

describe("trial journal: a trial is recorded once", () => {
  it("refuses an id already in the journal, also after reopening, and writes nothing", () => {
    const dir = tempDir();
    const j = journalIn(dir);
    j.openForAppend();
    j.append(lines(0, 3));
    j.close();
    const again = journalIn(dir);
    again.openForAppend();
    const size = statSync(again.path).size;
    expect(() => again.append([line(3), line(1)])).toThrow(/trial 1 of study "sma_cross\|mar\|1y" is already recorded \(line 2\)/);
    expect(() => again.append([line(7), line(7)])).toThrow(/trial 7 .* already recorded \(the same batch\)/);
    expect(statSync(again.path).size).toBe(size);
    again.append([line(3)]);
    expect(again.has(STUDY, 3)).toBe(true);
    expect(again.lines).toBe(4);
  });

  it("allows the same id in different studies", () => {
    const j = journalIn(tempDir());
    j.openForAppend();
    j.append([line(0, "a|mar|1y"), line(0, "b|mar|1y")]);
    expect(j.read().trials.map((t) => t.study)).toEqual(["a|mar|1y", "b|mar|1y"]);
  });

  it("refuses lines that would not read back as written (NaN, Infinity, bad shape)", () => {
    const j = journalIn(tempDir());
    j.openForAppend();
    j.append([line(0)]);
    const size = statSync(j.path).size;
    const inf = line(2);
    inf.results[0].periods["30d"].cagr = Infinity;
    expect(() => j.append([line(1, STUDY, { value: NaN })])).toThrow(RunError);
    expect(() => j.append([inf])).toThrow(/metric cagr of period 30d, trade size 10000 is Infinity/);
    expect(() => j.append([line(3, STUDY, { params: { fast: NaN } })])).toThrow(/parameter fast is NaN/);
    expect(() => j.append([line(-1)])).toThrow(/id -1 is not a trial id/);
    expect(() => j.append([line(4, "")])).toThrow(/study "" is not a study key/);
    expect(() => j.append([line(5, STUDY, { state: "done" as never })])).toThrow(/state "done"/);
    expect(statSync(j.path).size).toBe(size);
  });
});

describe("trial journal: reading a damaged journal for a report", () => {
  it("skipCorrupt reports damaged lines and returns the rest", () => {
    const dir = tempDir();
    const good = lines(0, 4).map((t) => JSON.stringify(t));
    writeFileSync(join(dir, "trials.jsonl"), [good[0], "{not json", good[1], JSON.stringify({ ...line(9), id: "9" }), good[2], good[1], good[3]].join("\n") + "\n");
    const r = journalIn(dir).read({ skipCorrupt: true });
    expect(r.trials.map((t) => t.id)).toEqual([0, 1, 2, 3]);
    expect(r.corrupt.map((c) => c.line)).toEqual([2, 4, 6]);
    expect(r.corrupt[0].reason).toMatch(/not valid JSON.*not the last line/);
    expect(r.corrupt[1].reason).toMatch(/id "9" is not a trial id/);
    expect(r.corrupt[2].reason).toMatch(/recorded twice \(lines 3 and 6\)/);
    expect(r.torn).toBeNull();
  });
});
