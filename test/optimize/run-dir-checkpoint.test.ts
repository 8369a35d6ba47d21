import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunError } from "../../lib/errors";
import { loadCheckpoint, readCheckpoint, writeCheckpoint, type RunCheckpoint } from "../../lib/optimize/storage";
import { childScript, removeTempDirs, requireDist, spawnChild, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

const progress: RunCheckpoint = {
  trials_done: 37,
  studies: {
    "sma_cross|mar|1y": { next_trial_id: 32, trials_done: 30, best: { id: 17, value: 1.2345678901234567, params: { fast: 9, slow: 200, kind: "ema", stop: true } } },
    "rsi_reversion|cps|90d": { next_trial_id: 16, trials_done: 7, best: null },
  },
};

describe("run directory: checkpoint.json", () => {
  it("round-trips with its checksum verified", () => {
    const dir = tempDir();
    const written = writeCheckpoint(dir, progress, new Date("2025-05-06T07:08:09.000Z"));
    expect(written).toMatchObject({ v: 1, trials_done: 37, updated: "2025-05-06T07:08:09.000Z" });
    expect(written.sha256).toMatch(/^[0-9a-f]{64}$/);
    const r = readCheckpoint(dir);
    expect(r.reason).toBeNull();
    expect(r.checkpoint).toEqual(written);
    expect(loadCheckpoint(dir)).toEqual(written);
  });

  it("a changed byte is caught by the checksum: null and why (readCheckpoint), RunError naming the file (loadCheckpoint)", () => {
    const dir = tempDir();
    writeCheckpoint(dir, progress);
    const path = join(dir, "checkpoint.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"next_trial_id": 32', '"next_trial_id": 33'));
    const r = readCheckpoint(dir);
    expect(r.checkpoint).toBeNull();
    expect(r.reason).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: checksum mismatch`));
    expect(() => loadCheckpoint(dir)).toThrow(RunError);
    expect(() => loadCheckpoint(dir)).toThrow(/checkpoint\.json: checksum mismatch .*rebuilt from trials\.jsonl/);
  });

  it("reports a missing, truncated or foreign checkpoint as null with the reason", () => {
    const dir = tempDir();
    expect(readCheckpoint(dir).reason).toMatch(/checkpoint\.json does not exist/);
    writeCheckpoint(dir, progress);
    const path = join(dir, "checkpoint.json");
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.slice(0, text.length / 2));
    expect(readCheckpoint(dir).reason).toMatch(/checkpoint\.json is not valid JSON/);
    writeFileSync(path, JSON.stringify({ ...JSON.parse(text), v: 2 }));
    expect(readCheckpoint(dir).reason).toMatch(/format version 2/);
    writeFileSync(path, JSON.stringify({ ...JSON.parse(text), sha256: undefined }));
    expect(readCheckpoint(dir).reason).toMatch(/no sha256/);
  });

  it("is never seen half-written, by a reader while another process rewrites it, nor after that process is killed", async () => {
    requireDist();
    const dir = tempDir();
    const script = childScript(
      dir,
      "checkpoint-loop.js",
      `const big = ${JSON.stringify(progress)};
for (let i = 0; i < 300; i++) big.studies["s" + i] = { next_trial_id: i, trials_done: i, best: { id: i, value: i / 7, params: { a: i } } };
for (let n = 0; ; n++) { big.trials_done = n; storage.writeCheckpoint(${JSON.stringify(dir)}, big); if (n === 5) console.log("writing"); }`,
    );
    for (let round = 0; round < 3; round++) {
      const child = spawnChild(script);
      await child.waitFor(/^writing$/);
      // Read while the other process replaces the file: every read must see a whole checkpoint.
      const bad: string[] = [];
      let reads = 0;
      const until = Date.now() + 5_000;
      while (reads < 150 && Date.now() < until) {
        const r = readCheckpoint(dir);
        reads++;
        if (r.reason !== null) bad.push(r.reason);
        if (reads % 20 === 0) await new Promise((res) => setImmediate(res));
      }
      child.proc.kill("SIGKILL");
      await child.exited;
      expect(bad.slice(0, 3)).toEqual([]);
      expect(reads).toBeGreaterThan(20);
      const r = readCheckpoint(dir);
      expect(r.reason).toBeNull();
      expect(r.checkpoint!.trials_done).toBeGreaterThanOrEqual(5);
    }
  });
});
