import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TrialJournal } from "../../lib/optimize/storage";
import { childScript, line, removeTempDirs, requireDist, spawnChild, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

const STUDIES = ["sma_cross|mar|1y", "rsi_reversion|cps|90d"];

describe("trial journal: a process killed while appending", () => {
  it("leaves at most a torn last line; each resume replays, cuts it and continues with dense ids", async () => {
    requireDist();
    const dir = tempDir();
    const path = join(dir, "trials.jsonl");
    writeFileSync(join(dir, "template.json"), JSON.stringify(line(0)));
    // Each session resumes from the journal and appends 64-line batches (~180 KB per write) until killed.
    const script = childScript(
      dir,
      "append-forever.js",
      `const fs = require("fs");
const template = JSON.parse(fs.readFileSync(${JSON.stringify(join(dir, "template.json"))}, "utf8"));
const j = new storage.TrialJournal(${JSON.stringify(path)});
const opened = j.openForAppend({ results: false });
const next = {};
for (const s of ${JSON.stringify(STUDIES)}) next[s] = 0;
for (const t of opened.trials) next[t.study] = Math.max(next[t.study], t.id + 1);
console.log("resumed " + opened.trials.length + " torn " + (opened.torn ? opened.torn.bytes : 0));
for (let round = 0; ; round++) {
  const batch = [];
  for (const s of Object.keys(next)) for (let k = 0; k < 32; k++) batch.push({ ...template, study: s, id: next[s]++ });
  j.append(batch);
  if (round === 2) console.log("appending");
}`,
    );
    let torn = 0;
    let previous = 0;
    for (let session = 0; session < 5; session++) {
      const child = spawnChild(script);
      const resumed = await child.waitFor(/^resumed /);
      expect(resumed).toMatch(new RegExp(`^resumed ${previous} torn \\d+$`));
      await child.waitFor(/^appending$/);
      await new Promise((r) => setTimeout(r, 50 + session * 60));
      child.proc.kill("SIGKILL");
      expect((await child.exited).signal).toBe("SIGKILL");

      const r = new TrialJournal(path).read({ results: false });
      if (r.torn) torn++;
      for (const s of STUDIES) {
        const ids = r.trials.filter((t) => t.study === s).map((t) => t.id);
        expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i));
      }
      expect(r.trials.length).toBeGreaterThan(previous);
      previous = r.trials.length;
    }
    // Whole lines written before the kill read back in full, results included.
    const full = new TrialJournal(path).read();
    expect(full.trials).toHaveLength(previous);
    expect(full.trials[previous - 1].results).toEqual(line(0).results);
    console.log(`journal-after-kill: ${previous} trials over 5 killed sessions, ${torn} torn tails seen`);
  });
});
