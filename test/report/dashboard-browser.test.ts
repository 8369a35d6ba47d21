/**
 * The dashboard in a real browser: Debian's chromium, driven by playwright-core. Skipped
 * (with the reason printed) when chromium is not installed, unless CI is set: then a
 * missing browser fails the test. STRATLAB_DASHBOARD_PNG=path also saves a screenshot
 * (docs/img/dashboard.png is made that way).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateReport } from "../../lib/report";
import { makeRunDir, type Fixture } from "./fixtures";

const CHROMIUM = process.env.STRATLAB_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";
if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(`dashboard browser test skipped: no chromium at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium; CI=true makes this a failure)`);
}

const CHARTS = ["chart-history", "chart-importance", "chart-param", "chart-pair", "chart-equity", "chart-drawdown"];

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)("dashboard in headless chromium", () => {
  let browser: Browser;
  let page: Page;
  let fx: Fixture;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but chromium is missing at ${CHROMIUM}; install it: apt-get install -y --no-install-recommends chromium`);
    fx = makeRunDir({ name: "demo-sma-donchian", trials: 80, planned: 80, pruneIds: [3], failIds: [5], days: 420 });
    generateReport(fx.dir, { topN: 5 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    // 1280 CSS px at 0.8: a 1024 px wide screenshot, readable and small
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 0.8 });
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(pathToFileURL(resolve(fx.dir, "index.html")).href, { waitUntil: "load" });
    await page.waitForSelector("#chart-drawdown .main-svg", { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("renders every chart as plotly SVG, without console errors", async () => {
    for (const id of CHARTS) expect(await page.locator(`#${id} .main-svg`).count(), id).toBeGreaterThan(0);
    // the history chart has its two traces, the equity chart one line per curve plus buy/sell markers
    expect(await page.locator("#chart-history .scatterlayer .trace").count()).toBe(2);
    expect(await page.locator("#chart-equity .scatterlayer .trace").count()).toBe(5 + 2);
    expect(await page.locator(".badge").count()).toBe(5);
    expect(problems).toEqual([]);
  });

  const column = (p: Page, col: string) =>
    p.evaluate((c) => {
      const table = document.querySelector(".tab-panel:not([hidden]) table.trials") as HTMLTableElement;
      const k = Array.from(table.tHead!.rows[0].cells).findIndex((th) => th.getAttribute("data-col") === c);
      return Array.from(table.tBodies[0].rows).map((r) => r.cells[k].getAttribute("data-v") ?? r.cells[k].textContent ?? "");
    }, col);
  const nums = (xs: string[]) => xs.filter((x) => x !== "").map(Number);
  const header = (col: string) => page.locator(`.tab-panel:not([hidden]) th[data-col="${col}"]`);

  it("sorts by a clicked column, numerically, toggling ascending and descending", async () => {
    // opens like the CSV: total return, highest first
    let tr = nums(await column(page, "total_return"));
    expect(tr.length).toBeGreaterThan(10);
    expect(tr).toEqual([...tr].sort((a, b) => b - a));
    await header("total_return").click();
    tr = nums(await column(page, "total_return"));
    expect(tr).toEqual([...tr].sort((a, b) => a - b));
    expect(await header("total_return").getAttribute("aria-sort")).toBe("ascending");
    await header("total_return").click();
    tr = nums(await column(page, "total_return"));
    expect(tr).toEqual([...tr].sort((a, b) => b - a));
    expect(await header("total_return").getAttribute("aria-sort")).toBe("descending");

    // trial ids span 0..79: a text sort would put 10 before 9
    await header("trial").click();
    const ids = nums(await column(page, "trial"));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.indexOf(9)).toBeLessThan(ids.indexOf(10));
    await header("trial").click();
    const down = nums(await column(page, "trial"));
    expect(down).toEqual([...down].sort((a, b) => b - a));
  });

  it("filters rows with the text box", async () => {
    const input = page.locator(".tab-panel:not([hidden]) input[type=search]");
    const before = (await column(page, "study")).length;
    await input.fill("donchian");
    const studies = await column(page, "study");
    expect(studies.length).toBeGreaterThan(0);
    expect(studies.length).toBeLessThan(before);
    for (const s of studies) expect(s).toContain("donchian");
    await input.fill("donchian pruned");
    const pruned = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".tab-panel:not([hidden]) table.trials tbody tr")).map((r) => (r as HTMLTableRowElement).cells[2].textContent),
    );
    expect(pruned.length).toBeGreaterThan(0);
    expect(new Set(pruned)).toEqual(new Set(["pruned"]));
    await input.fill("no-such-thing-anywhere");
    expect(await column(page, "study")).toEqual([]);
    expect(await page.locator(".tab-panel:not([hidden]) .count").textContent()).toMatch(/^0 of \d+ rows/);
    await input.fill("");
    expect((await column(page, "study")).length).toBe(before);
  });

  it("shows every trial in a period tab", async () => {
    await page.locator('#trial-tabs button[data-tab="period-30d"]').click();
    expect(await page.locator("#panel-period-30d").isVisible()).toBe(true);
    expect(await column(page, "study")).toHaveLength(fx.lines.length);
    expect(problems).toEqual([]);
    await page.locator('#trial-tabs button[data-tab="objective-mar"]').click();
  });

  it("saves a screenshot when asked (STRATLAB_DASHBOARD_PNG)", async () => {
    const out = process.env.STRATLAB_DASHBOARD_PNG;
    if (!out) return;
    mkdirSync(dirname(resolve(out)), { recursive: true });
    await page.screenshot({ path: resolve(out), clip: { x: 0, y: 0, width: 1280, height: 2200 }, fullPage: true });
    expect(statSync(resolve(out)).size).toBeGreaterThan(10_000);
  });

  it("shows hostile text from a run as text", async () => {
    const hostile = 'x</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
    // A hostile run name is refused when the manifest is read (a name becomes file names).
    const named = makeRunDir({ name: hostile, trials: 5, strategies: ["sma_cross"], objectives: ["mar"] });
    expect(() => generateReport(named.dir, { curves: false })).toThrow(/is not a run name/);
    // Free text that is allowed (the data file's name) still reaches the page: as text.
    const evil = makeRunDir({ name: "evil", trials: 5, strategies: ["sma_cross"], objectives: ["mar"] });
    const manifestPath = resolve(evil.dir, "manifest.json");
    const m = JSON.parse(readFileSync(manifestPath, "utf8")) as { data: { path: string } };
    m.data.path = `/tmp/${hostile.replace(/\//g, "|")}.csv`;
    writeFileSync(manifestPath, JSON.stringify(m));
    generateReport(evil.dir, { curves: false });
    const p = await browser.newPage();
    const errs: string[] = [];
    p.on("pageerror", (e) => errs.push(e.message));
    await p.goto(pathToFileURL(resolve(evil.dir, "index.html")).href, { waitUntil: "load" });
    await p.waitForSelector("#chart-history .main-svg");
    expect(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await p.locator("body").textContent()).toContain(`data ${hostile.replace(/\//g, "|")}.csv`);
    expect(await p.locator("img").count()).toBe(0);
    // intermediate/no-curve reports say why instead of drawing
    expect(await p.locator("#chart-equity .chart-note").textContent()).toMatch(/not requested/);
    expect(errs).toEqual([]);
    await p.close();
  });
});
