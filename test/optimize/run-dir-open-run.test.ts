import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunError } from "../../lib/errors";
import { openRun, readManifest, readRunLock, type OpenRunOptions, type RunArgs } from "../../lib/optimize/storage";
import { line, lines, removeTempDirs, STUDY, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

const search: RunArgs = { strategies: ["sma_cross"], objectives: ["mar"], periods: ["1y"], trials: 40, sampler: "tpe", seed: 1, batchSize: 8, tradeSizes: [10_000] };

function options(root: string, over: Partial<OpenRunOptions> = {}): OpenRunOptions & { notes: string[] } {
  const data = join(root, "bars.csv");
  const costs = join(root, "costs.json");
  if (!existsSync(data)) writeFileSync(data, "t,open,high,low,close,volume\n");
  if (!existsSync(costs)) writeFileSync(costs, "{}");
  const notes: string[] = [];
  return { root, name: "grid", search, studies: [STUDY], data: { path: data, rows: 0 }, costs: { path: costs }, workers: 2, cpuFraction: 0.9, onLog: (l) => notes.push(l), notes, ...over };
}

describe("openRun: create, then resume by name", () => {
  it("creates the run directory with manifest, empty journal, lock and log; a second session resumes it", async () => {
    const root = tempDir();
    const o1 = options(root);
    const run = await openRun(o1);
    expect(run.resumed).toBe(false);
    expect(run.dir).toMatch(/\/\d{8}T\d{6}Z-grid$/);
    expect(readdirSync(run.dir).sort()).toEqual([".lock", "manifest.json", "run.log", "trials.jsonl"]);
    expect(readRunLock(run.dir)?.pid).toBe(process.pid);
    expect(o1.notes).toEqual([expect.stringMatching(/^created by pid \d+: 0 trials in the journal, 2 workers$/)]);
    run.append(lines(0, 8));
    run.writeCheckpoint({ trials_done: 8, studies: { [STUDY]: { next_trial_id: 8, trials_done: 8, best: null } } });
    run.log("round 1 done");
    run.close();
    run.close();
    expect(existsSync(join(run.dir, ".lock"))).toBe(false);

    const o2 = options(root, { search: { ...search, trials: 80 }, workers: 1 });
    const again = await openRun(o2);
    try {
      expect(again.dir).toBe(run.dir);
      expect(again.resumed).toBe(true);
      expect(again.trials).toEqual(lines(0, 8));
      expect(o2.notes).toEqual([
        "trial budget raised from 40 to 80 per study",
        "workers 1 at cpu fraction 0.9 (was 2 at 0.9)",
        expect.stringMatching(/^resumed by pid \d+: 8 trials in the journal, 1 workers$/),
      ]);
      expect(readManifest(run.dir)).toMatchObject({ args: { trials: 80 }, workers: 1 });
      expect(() => again.append([line(3)])).toThrow(/already recorded/);
    } finally {
      again.close();
    }
    const log = readFileSync(join(run.dir, "run.log"), "utf8");
    expect(log).toMatch(/Z created by pid .*\n.*Z round 1 done\n.*Z trial budget raised from 40 to 80 per study\n/);
  });

  it("refuses to resume with other settings, listing them, and leaves the run unlocked", async () => {
    const root = tempDir();
    const run = await openRun(options(root));
    run.close();
    writeFileSync(join(root, "bars.csv"), "t,open,high,low,close,volume\n1,1,1,1,1,1\n");
    const attempt = openRun(options(root, { search: { ...search, seed: 9, trials: 10 } }));
    await expect(attempt).rejects.toThrow(RunError);
    await expect(openRun(options(root, { search: { ...search, seed: 9 } }))).rejects.toThrow(
      // One line (the CLI prints it as is): every difference, then what to do.
      new RegExp(`^cannot resume ${run.dir}: it was made with other settings \\(data: .*bars\\.csv .*; seed: the run has 1, 9 was requested\\); use the same settings, or another run name for a new run$`),
    );
    expect(existsSync(join(run.dir, ".lock"))).toBe(false);
  });

  it("refuses a run that another session holds", async () => {
    const root = tempDir();
    const run = await openRun(options(root));
    try {
      await expect(openRun(options(root))).rejects.toThrow(/already locked by this process/);
    } finally {
      run.close();
    }
  });

  it("on resume cuts a torn tail and says where its bytes went; a bad checkpoint is rebuilt from the journal", async () => {
    const root = tempDir();
    const run = await openRun(options(root));
    run.append(lines(0, 3));
    run.writeCheckpoint({ trials_done: 3, studies: {} });
    run.close();
    appendFileSync(join(run.dir, "trials.jsonl"), JSON.stringify(line(3)).slice(0, 99));
    writeFileSync(join(run.dir, "checkpoint.json"), "{\"v\":1,");
    const o = options(root, { resumeFrom: run.dir, name: undefined });
    const again = await openRun(o);
    again.close();
    expect(again.trials).toEqual(lines(0, 3));
    expect(again.torn).toMatchObject({ line: 4, bytes: 99 });
    expect(o.notes[0]).toMatch(/trials\.jsonl: dropped a torn last line \(line 4, 99 bytes, cut by a crash\); its bytes are in .*trials\.jsonl\.torn-\d{8}T\d{6}Z$/);
    expect(o.notes[1]).toMatch(/checkpoint\.json is not valid JSON .*; rebuilding it from the journal \(3 trials\)$/);
    expect(again.name).toBe("grid");
  });

  it("starts a new run for every unnamed session, named after the strategies", async () => {
    const root = tempDir();
    const a = await openRun(options(root, { name: undefined, search: { ...search, strategies: ["sma_cross", "rsi_reversion"] } }));
    a.close();
    const b = await openRun(options(root, { name: undefined, search: { ...search, strategies: ["sma_cross", "rsi_reversion"] } }));
    b.close();
    expect(a.dir).not.toBe(b.dir);
    expect(a.name).toBe("sma_cross-rsi_reversion");
  });

  it("leaves no run folder behind when an input file is missing", async () => {
    const root = tempDir();
    const o = options(root, { data: { path: join(root, "missing.csv"), rows: 0 } });
    await expect(openRun(o)).rejects.toThrow(/missing\.csv: cannot read it to hash it \(ENOENT\)/);
    expect(readdirSync(root).filter((f) => /^\d{8}T/.test(f))).toEqual([]);
  });

  it("refuses to resume a directory that is not a run", async () => {
    await expect(openRun(options(tempDir(), { resumeFrom: join(tempDir(), "nope") }))).rejects.toThrow(/nope does not exist; pass a run directory to resume/);
    const notRun = tempDir();
    writeFileSync(join(notRun, "trials.jsonl"), JSON.stringify(line(0)) + "\n");
    await expect(openRun(options(tempDir(), { resumeFrom: notRun }))).rejects.toThrow(/manifest\.json does not exist/);
    expect(existsSync(join(notRun, ".lock"))).toBe(false);
  });
});
