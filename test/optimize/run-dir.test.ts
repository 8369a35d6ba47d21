import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../lib/errors";
import { createRunDir, findRunByName, listRuns, RunLog, utcStamp } from "../../lib/optimize/storage";
import { removeTempDirs, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

const at = (iso: string) => new Date(iso);

describe("run directory: creation and lookup", () => {
  it("creates <root>/<UTC YYYYMMDDTHHMMSSZ>-<name>/", () => {
    const root = join(tempDir(), "runs"); // created on demand
    const dir = createRunDir("sma-grid", { root, now: at("2025-03-04T05:06:07.890Z") });
    expect(dir).toBe(join(root, "20250304T050607Z-sma-grid"));
    expect(utcStamp(at("2025-12-31T23:59:59.999Z"))).toBe("20251231T235959Z");
  });

  it("gives a second run of the same name in the same second the next free second", () => {
    const root = tempDir();
    const now = at("2025-03-04T05:06:07Z");
    const a = createRunDir("x", { root, now });
    const b = createRunDir("x", { root, now });
    const c = createRunDir("x", { root, now });
    expect([a, b, c].map((d) => basename(d))).toEqual(["20250304T050607Z-x", "20250304T050608Z-x", "20250304T050609Z-x"]);
    expect(findRunByName(root, "x")).toBe(c);
  });

  it("refuses names that are not safe folder names", () => {
    for (const bad of ["", "a/b", "..", ".hidden", "a b", "x".repeat(101), "sma|mar"]) {
      expect(() => createRunDir(bad, { root: tempDir() })).toThrow(UsageError);
    }
  });

  it("finds the newest run of a name, ignoring other names, files and foreign folders", () => {
    const root = tempDir();
    const old = createRunDir("grid", { root, now: at("2024-01-01T00:00:00Z") });
    const newest = createRunDir("grid", { root, now: at("2025-06-01T00:00:00Z") });
    createRunDir("grid", { root, now: at("2025-01-01T00:00:00Z") });
    createRunDir("big-grid", { root, now: at("2026-01-01T00:00:00Z") });
    createRunDir("grid-2", { root, now: at("2026-01-01T00:00:00Z") });
    writeFileSync(join(root, "20270101T000000Z-grid"), "a file, not a run");
    mkdirSync(join(root, "notes-grid"));
    expect(findRunByName(root, "grid")).toBe(newest);
    expect(findRunByName(root, "nope")).toBeNull();
    expect(findRunByName(join(root, "missing"), "grid")).toBeNull();
    const runs = listRuns(root);
    expect(runs.map((r) => r.name)).toEqual(["grid", "grid", "grid", "big-grid", "grid-2"]);
    expect(runs[0]).toEqual({ dir: old, name: "grid", stamp: "20240101T000000Z" });
  });
});

describe("run directory: run.log", () => {
  it("appends timestamped lines, one per line of a message, across writers", () => {
    const dir = tempDir();
    new RunLog(dir).write("created by pid 1", at("2025-01-01T00:00:00.000Z"));
    new RunLog(dir).write("resumed\nfrom the journal", at("2025-01-02T00:00:00.500Z"));
    expect(readFileSync(join(dir, "run.log"), "utf8")).toBe(
      "2025-01-01T00:00:00.000Z created by pid 1\n2025-01-02T00:00:00.500Z resumed\n2025-01-02T00:00:00.500Z from the journal\n",
    );
  });
});
