import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TrialJournal } from "../../lib/optimize/storage";
import { line, STUDY, tempDir } from "./journal-fixtures";

const N = 100_000;

/** Best of three, so a busy moment of the machine does not decide the test. */
function bestMs(f: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function fill(j: TrialJournal, make: (id: number) => ReturnType<typeof line>): void {
  j.openForAppend();
  for (let i = 0; i < N; i += 10_000) j.append(Array.from({ length: 10_000 }, (_, k) => make(i + k)));
  j.close();
}

describe("trial journal: replay speed", () => {
  it("replays 100k full trial lines (every metric of every period) for resume in well under a second", () => {
    const j = new TrialJournal(join(tempDir(), "trials.jsonl"));
    // One template: the speed does not depend on the numbers, only on their count and size.
    const t = line(1);
    fill(j, (id) => ({ ...t, id, study: id % 2 ? STUDY : "rsi_reversion|cps|90d" }));
    const mb = statSync(j.path).size / 1e6;

    let n = 0;
    const summaryMs = bestMs(() => (n = j.read({ results: false }).trials.length));
    expect(n).toBe(N);
    const fullMs = bestMs(() => (n = j.read().trials.length));
    expect(n).toBe(N);
    console.log(`journal-speed: ${N} lines, ${mb.toFixed(0)} MB: summaries ${summaryMs.toFixed(0)} ms, full lines ${fullMs.toFixed(0)} ms`);
    expect(summaryMs).toBeLessThan(600);
    // Full lines are bound by JSON.parse over ~280 MB of numbers (about 200-250 MB/s).
    expect(fullMs).toBeLessThan(3000);
  });

  it("replays 100k result-less lines (failed trials) in full in well under a second", () => {
    const j = new TrialJournal(join(tempDir(), "trials.jsonl"));
    const t = line(1, STUDY, { state: "failed", value: null, results: [], error: "ParamError: fast must be < slow" });
    fill(j, (id) => ({ ...t, id }));
    let n = 0;
    const ms = bestMs(() => (n = j.read().trials.length));
    expect(n).toBe(N);
    console.log(`journal-speed: ${N} short lines, ${(statSync(j.path).size / 1e6).toFixed(0)} MB: full ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(400);
  });
});
