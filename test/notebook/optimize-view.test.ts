/**
 * `optimize` from "stratlab": without `onProgress` it shows a live view (plain lines outside
 * a notebook) and ends with what happened; the same name resumes the same run, returning at
 * once when it is complete; a second call on a run still going waits for it.
 */
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { Progress } from "../../lib/optimize/runner";
import { optimize } from "../../lib/notebook/optimize";
import { runProgressHtml, runProgressLine } from "../../lib/notebook/optimize-progress";
import { smallStudy } from "./fixtures";

const temps: string[] = [];
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function progress(p: Partial<Progress>): Progress {
  return { done: 0, total: 100, sessionDone: 0, elapsedMs: 0, rate: 0, etaMs: Infinity, best: {}, ...p };
}

describe("the live view", () => {
  it("a resumed run's time left is the runner's (this session's rate), not extrapolated from the fraction done", () => {
    // 90 of 100 done, 10 of them in this session's 10 s: 10 left at 1/s is 10 s (the fraction would say ~1 s).
    const p = progress({ done: 90, sessionDone: 10, elapsedMs: 10_000, rate: 1, etaMs: 10_000, best: { "sma_cross|mar|1y": { id: 7, value: 1.23456, params: { fast: 10, slow: 50 } }, "macd|mar|1y": null } });
    expect(runProgressLine("optimize x", p)).toBe("optimize x: 90/100 (90%) · 10.0 s · 10.0 s left · 1.0 trials/s · best sma_cross|mar|1y 1.235 (#7)");
    const html = runProgressHtml("optimize x", p, "a <note>");
    expect(html).toContain("90.0% · 90/100 · 10.0 s · 10.0 s left · 1.0 trials/s · a &lt;note&gt;");
    expect(html).toContain("<td>fast=10 slow=50</td>");
    expect(html).toContain("best so far");
  });
});

describe("optimize outside a notebook", () => {
  it("prints progress lines and the outcome; the same call again resumes the complete run at once", async () => {
    const study = smallStudy("view");
    temps.push(study.tmp);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const first = await optimize(study);
    const lines = log.mock.calls.map((c) => String(c[0]));
    expect(first.status).toBe("complete");
    expect(first.outcome.newTrials).toBe(64);
    expect(lines.some((l) => l.startsWith("created by pid"))).toBe(true);
    expect(lines.filter((l) => l.startsWith("optimize view: ")).at(0)).toMatch(/^optimize view: 0\/64 \(0%\)/);
    expect(lines.at(-1)).toMatch(/^optimize view: complete: 64 new trials/);
    // the run index beside the runs folder lists the run (written after every run)
    const index = readFileSync(join(study.tmp, "index.html"), "utf8");
    expect(index).toContain(basename(first.dir).replace(/^\d{8}T\d{6}Z-/, ""));
    expect(index).toContain('"status":"complete"');

    log.mockClear();
    const again = await optimize(study);
    expect(again.dir).toBe(first.dir);
    expect(again.outcome.newTrials).toBe(0);
    expect(again.trials).toHaveLength(64);
    expect(log.mock.calls.map((c) => String(c[0])).at(-1)).toBe(`optimize view: complete: nothing to do (64 trials already in ${first.dir})`);
  });

  it("a second call on a run of this process that is still going waits for it instead of failing on its lock", async () => {
    const study = smallStudy("twice", { trials: 24 });
    temps.push(study.tmp);
    vi.spyOn(console, "log").mockImplementation(() => {});
    const [a, b] = await Promise.all([optimize(study), optimize(study)]);
    expect(a.dir).toBe(b.dir);
    expect(a.outcome.newTrials + b.outcome.newTrials).toBe(96);
    expect(b.outcome.newTrials).toBe(0);
  });
});
