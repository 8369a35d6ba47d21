/**
 * The dashboard's added views in headless chromium (one browser for the file): every new
 * plot draws (non-empty plotly divs), no console error, no network request; the drill-down
 * opens from a trial row; index.html copied alone still draws (plotly inlined by default);
 * an intermediate report says the run is in progress.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateReport, writeIntermediateReport } from "../../lib/report";
import { makeRunDir, type Fixture } from "./fixtures";

const CHROMIUM = process.env.STRATLAB_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";

const NEW_CHARTS = ["chart-parcoords", "chart-contour", "chart-heatmap", "chart-edf", "chart-timeline"];

/** A page that records console errors, page errors and every request but the page's own. */
async function openPage(browser: Browser, file: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(file).href;
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (r.url() !== url && !r.url().startsWith("data:")) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, problems, requests };
}

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)("dashboard views in headless chromium", () => {
  let browser: Browser;
  let fx: Fixture;
  let alone: string;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but chromium is missing at ${CHROMIUM}; install it: apt-get install -y --no-install-recommends chromium`);
    fx = makeRunDir({ name: "views", trials: 40, planned: 40, pruneIds: [3], days: 420 });
    generateReport(fx.dir, { topN: 3 });
    // The dashboard copied alone to another folder: nothing beside it.
    alone = mkdtempSync(join(tmpdir(), "stratlab-alone-"));
    copyFileSync(join(fx.dir, "index.html"), join(alone, "index.html"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (alone) rmSync(alone, { recursive: true, force: true });
  });

  it("draws every new plot from a copied-alone index.html and opens the drill-down from a row, with no console error and no request", async () => {
    const { page, problems, requests } = await openPage(browser, join(alone, "index.html"));
    await page.waitForSelector("#chart-history .main-svg", { timeout: 30_000 });
    // the added charts draw when their section nears the viewport
    expect(await page.locator("#chart-timeline .main-svg").count()).toBe(0);
    await page.locator("#more-charts").scrollIntoViewIfNeeded();
    await page.waitForSelector("#chart-timeline .main-svg", { timeout: 30_000 });
    for (const id of NEW_CHARTS) {
      expect(await page.locator(`#${id} .main-svg`).count(), id).toBeGreaterThan(0);
      expect(await page.evaluate((i) => ((document.getElementById(i) as unknown as { data?: unknown[] }).data ?? []).length, id), id).toBeGreaterThan(0);
    }
    // one EDF line per study of the objective; timeline segments for both workers
    expect(await page.evaluate(() => (document.getElementById("chart-edf") as unknown as { data: unknown[] }).data.length)).toBe(2);
    const workers = await page.evaluate(() => new Set((document.getElementById("chart-timeline") as unknown as { data: Array<{ y: Array<string | null> }> }).data.flatMap((t) => t.y.filter(Boolean))).size);
    expect(workers).toBe(2);
    // another study redraws them
    await page.selectOption("#study-select", "2"); // donchian_breakout (entry, exit)
    await page.waitForFunction(() => (document.getElementById("chart-parcoords") as unknown as { layout: { xaxis: { ticktext: string[] } } }).layout.xaxis.ticktext.some((t) => t.startsWith("entry")));

    // The drill-down opens from a trial row: candles, volume, trades, equity and drawdown
    // on one time axis, and the round trips.
    expect(await page.locator("#drilldown").isHidden()).toBe(true);
    const target = await page.evaluate(() => {
      const S = (window as unknown as { stratlab: { D: { curves: Array<{ study: string; trial: number; period: string; trips: { total: number } }> }; T: { id: number[] }; N: number; studyOf(i: number): { key: string } } }).stratlab;
      const c = S.D.curves[0];
      for (let i = 0; i < S.N; i++) if (S.studyOf(i).key === c.study && S.T.id[i] === c.trial) return { i, period: c.period, trips: c.trips.total };
      return null;
    });
    expect(target).not.toBeNull();
    await page.locator(`#trial-tabs button[data-tab="period-${target!.period}"]`).click();
    await page.locator(`.tab-panel:not([hidden]) tr[data-i="${target!.i}"] td`).first().click();
    await page.waitForSelector("#drill-chart .main-svg");
    const traces = await page.evaluate(() => (document.getElementById("drill-chart") as unknown as { _fullData: Array<{ type: string; xaxis: string }> })._fullData.map((t) => [t.type, t.xaxis]));
    expect(traces.map((t) => t[0])).toEqual(["candlestick", "bar", "scatter", "scatter", "scatter", "scatter"]);
    expect(new Set(traces.map((t) => t[1]))).toEqual(new Set(["x"])); // one shared time axis
    expect(target!.trips).toBeGreaterThan(0);
    expect(await page.locator("#drill-trips tbody tr").count()).toBe(Math.min(500, target!.trips));
    // a trial outside the shortlist says how to get its drill-down
    const other = await page.evaluate((skip) => {
      const S = (window as unknown as { stratlab: { D: { curves: Array<{ study: string; trial: number }> }; T: { id: number[]; state: string[] }; N: number; studyOf(i: number): { key: string } } }).stratlab;
      for (let i = 0; i < S.N; i++) if (i !== skip && !S.D.curves.some((c) => c.study === S.studyOf(i).key && c.trial === S.T.id[i])) return i;
      return -1;
    }, target!.i);
    await page.locator(`.tab-panel:not([hidden]) tr[data-i="${other}"] td`).first().click();
    expect(await page.locator("#drill-note").textContent()).toMatch(/No drill-down for this trial/);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("says an intermediate report's run is in progress; --external-plotly shares one copy in the runs folder", async () => {
    const inlined = statSync(join(fx.dir, "index.html")).size;
    writeIntermediateReport(fx.dir);
    expect(readFileSync(join(fx.dir, "index.html"), "utf8")).toContain('id="live-banner"');
    // An intermediate report loading the shared copy: both at once, one page load.
    const r = generateReport(fx.dir, { topN: 3, externalPlotly: true, running: true, curves: false });
    const shared = join(fx.dir, "..", "plotly.min.js");
    expect(existsSync(shared)).toBe(true);
    expect(r.files).toContain(resolve(shared));
    const html = readFileSync(join(fx.dir, "index.html"), "utf8");
    expect(html).toContain('<script src="../plotly.min.js"></script>');
    expect(html.length).toBeLessThan(inlined - 3_000_000);
    const { page, problems, requests } = await openPage(browser, join(fx.dir, "index.html"));
    await page.waitForSelector("#chart-history .main-svg", { timeout: 30_000 });
    // the added charts draw when their section nears the viewport
    expect(await page.locator("#chart-timeline .main-svg").count()).toBe(0);
    await page.locator("#more-charts").scrollIntoViewIfNeeded();
    await page.waitForSelector("#chart-timeline .main-svg", { timeout: 30_000 });
    expect(await page.locator("#live-banner").textContent()).toMatch(/in progress \(160 of 160 trials.* reloads its data every 30 s/);
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(resolve(shared)).href]);
    // The timer reloads the page (?reload=1: one second instead of 30) and picks up the
    // newest report: here the final one, which stops the reloading.
    await page.goto(pathToFileURL(join(fx.dir, "index.html")).href + "?reload=1", { waitUntil: "load" });
    generateReport(fx.dir, { topN: 3, curves: false, externalPlotly: true });
    await page.waitForFunction(() => document.readyState === "complete" && document.querySelector(".badge.status-complete") !== null, undefined, { timeout: 15_000 });
    expect(await page.locator("#live-banner").count()).toBe(0);
    await page.close();
  });
});
