/**
 * The run index (reports/index.html) of a runs folder with two runs and a broken one:
 * written by `stratlab report --index` (a real process), it lists every run with its
 * status, and in headless chromium selecting two runs and "compare" draws both runs'
 * best-so-far histories and their top trials, without console errors or requests.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRunIndex, generateReport, loadRun, runIndexPath, summarize } from "../../lib/report";
import { r6 } from "../../lib/report/dashboard/model";
import { runCli } from "../cli/run-cli";
import { makeRunDir, type Fixture } from "./fixtures";

const CHROMIUM = process.env.STRATLAB_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";

let fx: Fixture;
let runs: string;

beforeAll(() => {
  fx = makeRunDir({ name: "first", trials: 12 });
  const other = makeRunDir({ name: "second", trials: 6, planned: 10, strategies: ["sma_cross"], seed: 3 });
  runs = join(fx.root, "runs");
  cpSync(other.dir, join(runs, "20250102T000000Z-second"), { recursive: true });
  mkdirSync(join(runs, "20250103T000000Z-broken")); // no manifest
  generateReport(fx.dir, { curves: false });
});

describe("the run index", () => {
  it("lists every run, newest first, with status, trials and best values; a broken run says why", () => {
    const m = buildRunIndex(runs);
    expect(m.runs.map((r) => [r.name, r.status, r.done, r.planned])).toEqual([
      ["broken", "unreadable", 0, 0],
      ["second", "incomplete", 12, 20],
      ["first", "complete", 48, 48],
    ]);
    expect(m.runs[0].error).toMatch(/manifest/);
    const first = m.runs[2];
    expect(first.studies).toHaveLength(4);
    for (const s of first.studies) {
      // best so far never decreases and ends at the study's best value
      expect(s.history.y).toEqual([...s.history.y].sort((a, b) => a - b));
      expect(s.history.y.at(-1)).toBe(s.bestValue);
    }
    // the same best trials as the report's summary (read from the full journal)
    const summary = summarize(loadRun(fx.dir));
    expect(first.studies.map((s) => [s.key, s.bestTrial, s.bestValue])).toEqual(summary.map((s) => [s.study, s.best?.trial, r6(s.best?.value)]));
    expect(first.top.length).toBe(5);
    expect(m.runs[1].top.length).toBe(5); // never reported: computed from its journal
    expect(runIndexPath(runs)).toBe(join(fx.root, "index.html"));
  });

  it("is written by stratlab report --index", async () => {
    const r = await runCli(["report", "--index", runs]);
    expect(r.stderr).toMatch(/^3 runs; open /);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(join(fx.root, "index.html"));
    const bad = await runCli(["report", "--index", runs, runs]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)("the run index in headless chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but chromium is missing at ${CHROMIUM}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("compares two selected runs: both best-so-far histories and their top trials", async () => {
    const file = join(fx.root, "index.html");
    expect(readFileSync(file, "utf8")).toContain("Plotly");
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("request", (r) => void (r.url() !== pathToFileURL(file).href && requests.push(r.url())));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    expect(await page.locator("#runs tbody tr").count()).toBe(3);
    expect(await page.locator("#compare").isDisabled()).toBe(true);
    await page.locator('#runs input[value="1"]').check();
    await page.locator('#runs input[value="2"]').check();
    await page.locator("#compare").click();
    await page.waitForSelector("#chart-compare .main-svg");
    const names = await page.evaluate(() => (document.getElementById("chart-compare") as unknown as { data: Array<{ name: string }> }).data.map((t) => t.name));
    expect(names.some((n) => n.startsWith("second"))).toBe(true);
    expect(names.some((n) => n.startsWith("first"))).toBe(true);
    expect(names).toHaveLength(4 + 2); // one line per study: first has 4, second 2
    expect(await page.locator("#top tbody tr").count()).toBe(10);
    // the run's link opens its dashboard
    expect(await page.locator('#runs tr[data-run="2"] a').getAttribute("href")).toMatch(/^runs\/20250101T000000Z-first\/index\.html$/);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
