/**
 * How long a dashboard takes to draw in a browser: headless Chromium (Debian's, driven by
 * playwright-core) opens index.html from disk and waits until every chart of the page is
 * drawn; wall time from navigation, median of `runs`. Null when Chromium is missing.
 */
import { existsSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { median } from "./measure";

export const CHROMIUM = process.env.STRATLAB_CHROMIUM ?? "/usr/bin/chromium";

export interface PageTiming {
  /** Median ms from navigation until the first view's charts are drawn. */
  first_ms: number;
  /** Median ms from navigation until every chart is drawn (scrolling to `lazy` once the first are). */
  all_ms: number;
  mb: number;
}

export async function pageDrawTime(file: string, charts: readonly string[], lazy: { section: string; charts: readonly string[] } | null = null, runs = 3): Promise<PageTiming | null> {
  if (!existsSync(CHROMIUM)) return null;
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  try {
    const first: number[] = [];
    const all: number[] = [];
    for (let k = 0; k < runs; k++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const t0 = Date.now();
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      for (const id of charts) await page.waitForSelector(`#${id} .main-svg`, { timeout: 120_000 });
      first.push(Date.now() - t0);
      if (lazy !== null) {
        await page.locator(`#${lazy.section}`).scrollIntoViewIfNeeded();
        for (const id of lazy.charts) await page.waitForSelector(`#${id} .main-svg`, { timeout: 120_000 });
      }
      all.push(Date.now() - t0);
      await page.close();
    }
    return { first_ms: median(first), all_ms: median(all), mb: Math.round(statSync(file).size / 1e4) / 100 };
  } finally {
    await browser.close();
  }
}
