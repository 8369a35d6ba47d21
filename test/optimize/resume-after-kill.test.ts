/**
 * The resume guarantee: a run killed with SIGKILL at arbitrary moments, then resumed,
 * ends with exactly the trials (ids, params, metrics) of a run never interrupted —
 * nothing lost beyond in-flight work, nothing recomputed, nothing duplicated.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { canonicalTrials, fixture, journalLines, parseJson, requireCli, runCli, runDirNamed, startCli, waitUntil } from "./cli-fixtures";

const STUDIES = 4; // 2 strategies x 2 objectives
const TRIALS = 96; // per study

function args(data: string, runs: string, name: string, extra: string[] = []): string[] {
  return ["optimize", "--data", data, "--strategy", "sma_cross,rsi_reversion", "--objective", "mar,utility", "--period", "90d", "--trials", String(TRIALS), "--sampler", "tpe", "--seed", "11", "--batch-size", "8", "--out", runs, "--name", name, "--json", ...extra];
}

describe("optimize: resume after kill -9", () => {
  let fx: ReturnType<typeof fixture>;
  let reference: string[];

  beforeAll(() => {
    requireCli();
    fx = fixture(120, 3);
    const r = runCli(args(fx.data, fx.runs, "uninterrupted"));
    expect(r.code, r.stderr).toBe(0);
    reference = canonicalTrials(String(parseJson(r.stdout).dir));
    expect(reference).toHaveLength(STUDIES * TRIALS);
  });

  it("killed three times at different moments, it ends with the uninterrupted run's trials", async () => {
    let dir = "";
    const kills: number[] = [];
    for (const killAt of [1, 120, 250]) {
      const child = startCli(args(fx.data, fx.runs, "killed"));
      await waitUntil(() => runDirNamed(fx.runs, "killed") !== null || child.exited(), 60_000, 1);
      dir = runDirNamed(fx.runs, "killed") ?? "";
      const journal = join(dir, "trials.jsonl");
      await waitUntil(() => journalLines(journal) >= killAt || child.exited(), 60_000, 1);
      child.proc.kill("SIGKILL");
      const res = await child.done;
      kills.push(journalLines(journal));
      if (res.signal !== "SIGKILL") break; // finished before the kill: nothing left to resume
    }
    expect(kills.some((n) => n > 0 && n < STUDIES * TRIALS), `journal sizes at the kills: ${kills}`).toBe(true);

    const before = journalLines(join(dir, "trials.jsonl"));
    const r = runCli(args(fx.data, fx.runs, "killed"));
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson(r.stdout);
    expect(doc.dir).toBe(dir);
    expect(doc.resumed).toBe(true);
    // Nothing recomputed: this session evaluated only what was missing.
    expect(doc.new_trials).toBe(STUDIES * TRIALS - before);
    const got = canonicalTrials(dir);
    expect(got).toHaveLength(STUDIES * TRIALS); // nothing duplicated
    expect(got).toEqual(reference);
  });

  it("a run that is complete reports so at once and evaluates nothing", () => {
    const r = runCli(args(fx.data, fx.runs, "uninterrupted"));
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson(r.stdout);
    expect(doc.new_trials).toBe(0);
    expect(doc.trials).toBe(STUDIES * TRIALS);
    expect(canonicalTrials(String(doc.dir))).toEqual(reference);
    // The log says where the trials came from.
    expect(readFileSync(join(String(doc.dir), "run.log"), "utf8")).toMatch(/resumed by pid/);
  });
});
