/**
 * Resume refuses what it cannot continue honestly, and repairs what a crash can leave:
 * a torn last journal line is reported and dropped; a run made with other settings or
 * other data is refused with one line saying what differs; two processes never write one
 * run; Ctrl-C stops cleanly with exit 130 and a resume hint; the worker count changes
 * nothing in the trials.
 */
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { canonicalTrials, fixture, journalLines, parseJson, requireCli, runCli, runDirNamed, startCli, waitUntil } from "./cli-fixtures";

function args(data: string, runs: string, name: string, extra: string[] = []): string[] {
  return ["optimize", "--data", data, "--strategy", "sma_cross", "--objective", "mar", "--period", "90d", "--sampler", "tpe", "--seed", "5", "--batch-size", "8", "--out", runs, "--name", name, "--json", ...extra];
}

describe("optimize: resume checks", () => {
  let fx: ReturnType<typeof fixture>;

  beforeAll(() => {
    requireCli();
    fx = fixture(90, 4);
  });

  it("gives the same trials with 1 worker and with 2", () => {
    const one = runCli(args(fx.data, fx.runs, "w1", ["--trials", "48", "--max-workers", "1"]));
    const two = runCli(args(fx.data, fx.runs, "w2", ["--trials", "48", "--max-workers", "2"]));
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(parseJson(one.stdout).workers).toBe(1);
    expect(parseJson(two.stdout).workers).toBe(2);
    const a = canonicalTrials(String(parseJson(one.stdout).dir));
    expect(a).toHaveLength(48);
    expect(canonicalTrials(String(parseJson(two.stdout).dir))).toEqual(a);
  });

  it("reports and drops a torn last line, then ends with the trials of an uninterrupted run", () => {
    const full = runCli(args(fx.data, fx.runs, "torn-ref", ["--trials", "40"]));
    expect(full.code, full.stderr).toBe(0);
    const part = runCli(args(fx.data, fx.runs, "torn", ["--trials", "24"]));
    expect(part.code, part.stderr).toBe(0);
    const dir = String(parseJson(part.stdout).dir);
    // A crash in the middle of an append: half a line, no newline.
    const journal = join(dir, "trials.jsonl");
    const lastLine = readFileSync(journal, "utf8").trim().split("\n").pop()!;
    appendFileSync(journal, lastLine.slice(0, 150));
    const resumed = runCli(args(fx.data, fx.runs, "torn", ["--trials", "40"]));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/torn last line \(line 25, 150 bytes/);
    expect(parseJson(resumed.stdout).new_trials).toBe(16);
    expect(canonicalTrials(dir)).toEqual(canonicalTrials(String(parseJson(full.stdout).dir)));
    expect(journalLines(journal)).toBe(40);
  });

  it("refuses to resume with other settings, naming what differs, and changes nothing", () => {
    const first = runCli(args(fx.data, fx.runs, "compat", ["--trials", "16"]));
    expect(first.code, first.stderr).toBe(0);
    const dir = String(parseJson(first.stdout).dir);
    const before = readFileSync(join(dir, "trials.jsonl"), "utf8");
    const r = runCli(["optimize", "--data", fx.data, "--strategy", "sma_cross", "--objective", "mar", "--period", "90d", "--sampler", "tpe", "--seed", "6", "--batch-size", "8", "--trials", "16", "--resume-from", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/seed/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(join(dir, "trials.jsonl"), "utf8")).toBe(before);
  });

  it("refuses to resume on other data", () => {
    const first = runCli(args(fx.data, fx.runs, "data-change", ["--trials", "8"]));
    expect(first.code, first.stderr).toBe(0);
    const other = join(fx.dir, "other.csv");
    copyFileSync(fx.data, other);
    // Same rows but one price changed: the hash differs.
    const text = readFileSync(other, "utf8").split("\n");
    text[10] = text[10].replace(/,(\d+)\.(\d)/, (_m, a, b) => `,${a}.${(Number(b) + 1) % 10}`);
    writeFileSync(other, text.join("\n"));
    const r = runCli(args(other, fx.runs, "data-change", ["--trials", "8"]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/data/);
    expect(r.stderr.trim().split("\n").filter((l) => l.trim() !== "").length).toBeLessThanOrEqual(3);
  });

  it("lets only one process write a run: the second names the holder", async () => {
    const first = startCli(args(fx.data, fx.runs, "locked", ["--trials", "4000"]));
    await waitUntil(() => runDirNamed(fx.runs, "locked") !== null && journalLines(join(runDirNamed(fx.runs, "locked")!, "trials.jsonl")) > 0, 60_000);
    const second = runCli(args(fx.data, fx.runs, "locked", ["--trials", "4000"]));
    first.proc.kill("SIGKILL");
    await first.done;
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`locked by pid ${first.proc.pid}`));
  });

  it("stops on Ctrl-C with exit 130, the finished trials kept and a resume hint", async () => {
    const child = startCli(args(fx.data, fx.runs, "sigint", ["--trials", "4000"]));
    await waitUntil(() => runDirNamed(fx.runs, "sigint") !== null && journalLines(join(runDirNamed(fx.runs, "sigint")!, "trials.jsonl")) >= 16, 60_000);
    child.proc.kill("SIGINT");
    const res = await child.done;
    expect(res.code).toBe(130);
    const dir = runDirNamed(fx.runs, "sigint")!;
    expect(res.stderr).toMatch(new RegExp(`--resume-from ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    const n = journalLines(join(dir, "trials.jsonl"));
    const cp = JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8"));
    expect(cp.trials_done).toBe(n);
  });
});
