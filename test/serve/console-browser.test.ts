/**
 * The console in real headless Chromium (Debian's, driven by playwright-core): start a
 * backtest from the form, watch its progress bar advance from the events stream, cancel it,
 * resume it, see it complete with the metrics `stratlab evaluate` gives for the same inputs.
 * No console errors, and no request leaves the machine. Skipped (with the reason printed)
 * when chromium is missing, unless CI is set. STRATLAB_CONSOLE_PNG=path also saves a screenshot.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../lib/serve";
import { runCli } from "../cli/run-cli";
import { serve, serveLab, type ServeLab } from "./fixtures";

/** Metrics both account paths give bit for bit (the rest sum per-bar returns: 1e-9). */
const EXACT = new Set(["final_balance", "max_drawdown", "total_return", "fees", "swaps", "trades", "win_rate", "profit_factor", "exposure", "bars", "start"]);

const CHROMIUM = process.env.STRATLAB_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";
if (!HAVE_CHROMIUM && !IN_CI) console.warn(`console browser test skipped: no chromium at ${CHROMIUM}`);

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)("the service console in headless chromium", () => {
  let L: ServeLab;
  let S: RunningService;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but chromium is missing at ${CHROMIUM}`);
    L = serveLab();
    S = await serve(L, {}, 2);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(S.url + "/", { waitUntil: "load" });
  });
  afterAll(async () => {
    await browser?.close();
    await S?.close(5000);
    L?.cleanup();
  });

  it("starts a backtest, shows it advance, cancels and resumes it, and shows evaluate's metrics at the end", async () => {
    await page.waitForSelector("#conn:text('connected')");
    await page.fill("#f-strategy", "ema_cross");
    await page.fill("#f-params", '{"fast":12,"slow":48}');
    await page.fill("#f-data", L.data);
    await page.fill("#f-checkpoint-every", "500");
    await page.click("#f-submit");
    await page.waitForSelector("#start-msg:text('started')");
    const id = (await page.textContent("#start-msg"))!.replace("started ", "").trim();
    const row = `tr[data-id="${id}"]`;

    // The progress bar advances with the events stream.
    const value = () => page.$eval(`${row} progress`, (p) => (p as HTMLProgressElement).value);
    await page.waitForFunction((sel) => ((document.querySelector(`${sel} progress`) as HTMLProgressElement | null)?.value ?? 0) > 0, row, { timeout: 20_000 });
    const v1 = await value();
    await page.waitForFunction(([sel, v]) => (document.querySelector(`${sel} progress`) as HTMLProgressElement).value > (v as number), [row, v1] as const, { timeout: 20_000 });
    expect(await value()).toBeGreaterThan(v1);

    await page.click(`${row} button.cancel`);
    await page.waitForSelector(`${row}[data-status="cancelled"]`, { timeout: 20_000 });
    const stoppedAt = await value();
    expect(stoppedAt).toBeLessThan(3456);

    await page.click(`${row} button.resume`);
    await page.waitForFunction((orig) => { const d = document.getElementById("detail-id")?.textContent; return !!d && d !== orig; }, id, { timeout: 20_000 });
    const resumedId = (await page.textContent("#detail-id"))!;
    await page.waitForSelector(`tr[data-id="${resumedId}"][data-status="completed"]`, { timeout: 30_000 });
    await page.waitForSelector(`#detail[data-status="completed"] #metrics`, { timeout: 10_000 });
    expect(await page.textContent(`tr[data-id="${resumedId}"]`)).toContain(`from ${id}`);

    const evaluated = await runCli(["evaluate", "--strategy", "ema_cross", "--params", '{"fast":12,"slow":48}', "--data", L.data, "--json"]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const expected = (JSON.parse(evaluated.stdout) as { results: { periods: Record<string, Record<string, number | null>> }[] }).results[0]!.periods;
    const shown = await page.$$eval("#metrics td[data-period]", (cells) => cells.map((c) => [c.closest("tr")!.getAttribute("data-metric"), c.getAttribute("data-period"), JSON.parse(c.getAttribute("data-value")!)] as [string, string, number | null]));
    expect(shown.length).toBe(Object.keys(expected).length * Object.keys(expected["all"]!).length);
    // The backtest runs the per-bar kernel; `evaluate` may take the event path, which agrees
    // exactly on balances, drawdowns and counts and to 1e-9 on what sums per-bar returns
    // (docs/evaluator.md, "Agreement").
    for (const [metric, period, v] of shown) {
      const want = expected[period]![metric];
      if (EXACT.has(metric!) || typeof want !== "number" || typeof v !== "number") expect(v, `${metric} ${period}`).toBe(want);
      else expect(Math.abs(v - want), `${metric} ${period}: ${v} against ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
    }

    // STRATLAB_CONSOLE_PNG=path saves a screenshot (docs/img/console.png is made that way).
    if (process.env.STRATLAB_CONSOLE_PNG) await page.screenshot({ path: process.env.STRATLAB_CONSOLE_PNG, fullPage: true });
    // The result's checkpoint, listed under the operation, deleted with its button.
    const final = `#checkpoints tr[data-checkpoint]`;
    expect(await page.$$eval(final, (rows) => rows.map((r) => r.children[1]!.textContent))).toEqual(["final"]);
    await page.click(`${final} button.delete`);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 0, final, { timeout: 10_000 });
    expect(S.service.registry.checkpoints.list({ operationId: resumedId })).toEqual([]);

    expect(problems).toEqual([]);
    const base = new URL(S.url);
    expect(requests.filter((u) => new URL(u).host !== base.host)).toEqual([]);
  });
});
