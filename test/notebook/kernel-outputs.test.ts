/**
 * What the display helpers send to a tslab kernel, with the kernel's display faked through
 * the same hook tslab sets (globalThis.__tslab__.require): plots as one bundle with plotly's
 * MIME type beside the HTML (plotly.js embedded once per session, or never where the front
 * end has it), progress bars that always draw their end (complete, cancelled at N, failed),
 * and danfo frames and trial tables as HTML tables.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateBars } from "../../lib/data/generate";
import { toDataFrame } from "../../lib/data/frame";
import { installRichDisplay, trialRows, withTableView } from "../../lib/notebook/rich-display";
import { PLOTLY_MIME, plotlyLibrary, showPlot } from "../../lib/notebook/plot";
import { progressBar } from "../../lib/notebook/progress";

interface Sent {
  data: Record<string, unknown>;
}
const html: string[] = [];
const bundles: Sent[] = [];
/** Every output of each updatable display, in order. */
const entries: string[][] = [];

beforeAll(() => {
  const display = { html: (s: string) => html.push(s), text: (s: string) => html.push(s) };
  const tslab = {
    display,
    newDisplay: () => {
      const mine: string[] = [];
      entries.push(mine);
      return { html: (s: string) => mine.push(s), text: (s: string) => mine.push(s) };
    },
  };
  const jupyter = { lastWriteDisplayData: (d: Sent) => bundles.push(d) };
  (globalThis as { __tslab__?: unknown }).__tslab__ = {
    require: (id: string) => {
      if (id === "tslab") return tslab;
      if (id === "tslab/dist/jupyter") return jupyter;
      throw new Error(`cannot find ${id}`);
    },
  };
});
afterAll(() => {
  delete (globalThis as { __tslab__?: unknown }).__tslab__;
  delete process.env.STRATLAB_NOTEBOOK_PLOTLY;
});

describe("plots", () => {
  const fig = { data: [{ type: "scatter", y: new Float64Array([1, 2, 3]) }], layout: { title: "t" } };

  it("send plotly's MIME bundle beside the HTML; plotly.js only in the first HTML of a session, never where the front end has it", () => {
    process.env.STRATLAB_NOTEBOOK_PLOTLY = "frontend";
    expect(plotlyLibrary()).toBe("frontend");
    showPlot(fig);
    process.env.STRATLAB_NOTEBOOK_PLOTLY = "embed";
    showPlot(fig);
    showPlot(fig);
    expect(bundles).toHaveLength(3);
    for (const b of bundles) {
      expect(Object.keys(b.data).sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"].sort());
      const f = b.data[PLOTLY_MIME] as { data: Array<{ y: number[] }>; layout: { height: number } };
      expect(f.data[0].y).toEqual([1, 2, 3]); // a plain array: the bundle is JSON
      expect(f.layout.height).toBe(420);
    }
    const sizes = bundles.map((b) => (b.data["text/html"] as string).length);
    expect(sizes[0]).toBeLessThan(5_000); // front end has plotly: no library
    expect(sizes[1]).toBeGreaterThan(1_000_000); // first embedding of the session
    expect(sizes[2]).toBeLessThan(5_000);
    expect(html).toEqual([]); // all went as bundles
  });

  it("without the env setting, embeds unless Jupyter's plotly extension is installed", () => {
    expect(plotlyLibrary({ JUPYTER_PATH: "/nonexistent" })).toMatch(/^(embed|frontend)$/);
    expect(plotlyLibrary({ STRATLAB_NOTEBOOK_PLOTLY: "embed" })).toBe("embed");
  });
});

describe("progress bars draw their end at once", () => {
  const last = (k: number) => entries[k].at(-1) as string;

  it("cancelled at N: the bar stays where it stopped, says so, and ignores later updates", async () => {
    const bar = progressBar(1, "backtest");
    const k = entries.length - 1;
    for (let u = 10_000; u <= 80_000; u += 10_000) bar.update(u, 210_240); // faster than the 200 ms redraw
    bar.cancel("cancelled at bar 80,000");
    const end = last(k);
    expect(end).toContain('data-state="cancelled"');
    expect(end).toContain('value="80000" max="210240"');
    expect(end).toContain("38.1%");
    expect(end).toContain("cancelled at bar 80,000");
    bar.update(90_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(last(k)).toBe(end);
  });

  it("failed and complete; an update between redraws is drawn when the interval is up", async () => {
    const failing = progressBar(100, "job");
    failing.update(5);
    failing.fail("disk full");
    expect(last(entries.length - 1)).toMatch(/data-state="failed".*value="5".*disk full/s);

    const bar = progressBar(100, "job");
    const k = entries.length - 1;
    bar.update(1);
    bar.update(42); // within 200 ms of the first draw
    expect(last(k)).not.toContain('value="42"');
    await new Promise((r) => setTimeout(r, 350));
    expect(last(k)).toContain('value="42"');
    bar.update(100);
    expect(last(k)).toMatch(/data-state="complete".*value="100"/s);
  });
});

describe("tables", () => {
  it("a danfo DataFrame, its columns and its head display as HTML tables", () => {
    installRichDisplay(true);
    const df = toDataFrame(generateBars({ days: 2, seed: 1, barMinutes: 60 }));
    const before = html.length;
    expect(inspect(df)).toBe("DataFrame: 48 rows x 6 columns");
    expect(inspect((df as unknown as Record<string, unknown>).close)).toBe("Series: 48 values");
    expect(inspect(df.head(3))).toBe("DataFrame: 3 rows x 6 columns");
    const shown = html.slice(before);
    expect(shown).toHaveLength(3);
    expect(shown[0]).toMatch(/<table class="stratlab-table">[\s\S]*<th>timestamp<\/th>/);
    expect(shown[0]).toContain("20 of 48 rows");
  });

  it("trial lines display as a table of study, trial, state, value and parameters", () => {
    const lines = [{ v: 1 as const, id: 3, study: "sma_cross|mar|1y", params: { fast: 5, slow: 50 }, value: 1.5, state: "complete" as const, results: [], started: "", finished: "", worker: 0 }];
    const rows = withTableView(lines, trialRows, "top trials");
    expect(rows).toEqual(lines); // data unchanged
    const before = html.length;
    expect(inspect(rows)).toBe("top trials: 1 rows");
    expect(html[before]).toContain("fast=5 slow=50");
  });
});
