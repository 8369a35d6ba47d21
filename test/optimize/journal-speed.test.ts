import { appendFileSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TrialJournal, type TrialLine } from "../../lib/optimize/storage";
import { line, removeTempDirs, STUDY, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

const N = 100_000;
const OTHER = "rsi_reversion|cps|90d";

/**
 * Best of `n` runs of min(wall time, CPU time of this process): on a quiet machine the wall
 * time, on a shared busy one (tests of several projects at once) the CPU time, which does
 * not count waiting for a core.
 */
function bestMs(n: number, f: () => void): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    f();
    const wall = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, wall, (cpu.user + cpu.system) / 1000);
  }
  return best;
}

/** `n` lines as append writes them (checked on the first), two studies; built from one template for speed. */
function journalOf(t: TrialLine, n = N): TrialJournal {
  const j = new TrialJournal(join(tempDir(), "trials.jsonl"));
  j.openForAppend();
  j.append([t]);
  j.close();
  const template = readFileSync(j.path, "utf8");
  expect(template.startsWith(`{"v":1,"id":0,"study":"${STUDY}",`)).toBe(true);
  const tail = template.slice(`{"v":1,"id":0,"study":"${STUDY}"`.length);
  for (let i = 1; i < n; i += 10_000) {
    let chunk = "";
    for (let id = i; id < Math.min(n, i + 10_000); id++) chunk += `{"v":1,"id":${id >> 1},"study":"${id % 2 ? OTHER : STUDY}"${tail}`;
    appendFileSync(j.path, chunk);
  }
  return j;
}

/** The floor: read the file, split it, JSON.parse every line, keep the objects. */
function naiveRead(path: string): unknown[] {
  const buf = readFileSync(path);
  const out: unknown[] = [];
  for (let s = 0, e = buf.indexOf(10); e !== -1; s = e + 1, e = buf.indexOf(10, s)) out.push(JSON.parse(buf.toString("utf8", s, e)));
  return out;
}

describe("trial journal: replay speed", () => {
  it("replays 100k full trial lines for resume (summaries, without results) in well under a second", () => {
    const j = journalOf(line(0));
    const mb = statSync(j.path).size / 1e6;
    let n = 0;
    const ms = bestMs(3, () => (n = j.read({ results: false }).trials.length));
    expect(n).toBe(N);
    console.log(`journal-speed: ${N} full lines, ${mb.toFixed(0)} MB: summaries ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
  });

  it("reads full lines at the speed of a bare JSON.parse loop, and summaries several times faster", () => {
    const lines = 20_000;
    const j = journalOf(line(0), lines);
    let n = 0;
    const fullMs = bestMs(2, () => (n = j.read().trials.length));
    expect(n).toBe(lines);
    const naiveMs = bestMs(2, () => (n = naiveRead(j.path).length));
    expect(n).toBe(lines);
    const summaryMs = bestMs(2, () => (n = j.read({ results: false }).trials.length));
    console.log(`journal-speed: ${lines} full lines: full ${fullMs.toFixed(0)} ms, bare JSON.parse loop ${naiveMs.toFixed(0)} ms, summaries ${summaryMs.toFixed(0)} ms`);
    // Full lines cost what JSON.parse and the heap of metric records cost: no more.
    expect(fullMs).toBeLessThan(naiveMs * 1.5);
    expect(summaryMs).toBeLessThan(fullMs / 3);
  });

  it("replays 100k result-less lines (failed trials) in full in well under a second", () => {
    const j = journalOf(line(0, STUDY, { state: "failed", value: null, results: [], error: "ParamError: fast must be < slow" }));
    let n = 0;
    const ms = bestMs(3, () => (n = j.read().trials.length));
    expect(n).toBe(N);
    console.log(`journal-speed: ${N} short lines, ${(statSync(j.path).size / 1e6).toFixed(0)} MB: full ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
  });
});
