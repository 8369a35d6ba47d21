/**
 * Every notebooks/*.ipynb runs headlessly with the tslab kernel, cell by cell, without a
 * failing cell; and the committed copies carry no outputs and no execution counts.
 * Without Jupyter the execution tests are skipped, except under CI=true, where they fail.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkJupyter, jupyterInstallHint, KERNEL_NAME, kernelRegistered } from "../../lib/notebook/jupyter";
import { PLOTLY_MIME } from "../../lib/notebook/plot";
import { executeNotebook, readCells, type NotebookRun } from "../../lib/notebook/run";
import { PACKAGE_ROOT } from "../../lib/paths";
import { checkResolvable } from "../../lib/setup/link";

const NOTEBOOK_DIR = join(PACKAGE_ROOT, "notebooks");
const notebooks = readdirSync(NOTEBOOK_DIR)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();
const inCI = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false" && process.env.CI !== "0";

const jupyter = checkJupyter();
const missing = !jupyter.ok ? jupyterInstallHint(jupyter) : !kernelRegistered() ? "the tslab kernel is not registered under .jupyter/ (run: npx stratlab setup)" : undefined;
const skip = missing !== undefined && !inCI;
if (skip) console.warn(`notebooks: SKIPPING execution of ${notebooks.length} notebook(s): ${missing}`);

describe("committed notebooks", () => {
  it("notebooks/ holds at least one notebook", () => {
    expect(notebooks.length).toBeGreaterThan(0);
  });

  for (const name of notebooks) {
    it(`${name} carries no outputs or execution counts and uses the tslab kernel`, () => {
      const path = join(NOTEBOOK_DIR, name);
      const cells = readCells(path);
      const dirty = cells.flatMap((c, i) =>
        c.cell_type !== "code" ? [] : [...((c.outputs?.length ?? 0) > 0 ? [`cell ${i} has ${c.outputs?.length} output(s)`] : []), ...(c.execution_count != null ? [`cell ${i} has execution_count ${c.execution_count}`] : [])],
      );
      expect(dirty, `${name}: clear outputs before committing (Jupyter: Edit > Clear All Outputs)`).toEqual([]);
      const meta = (JSON.parse(readFileSync(path, "utf8")) as { metadata?: { kernelspec?: { name?: string } } }).metadata;
      expect(meta?.kernelspec?.name, `${name}: kernelspec`).toBe(KERNEL_NAME);
    });
  }
});

describe.skipIf(skip)(skip ? `notebooks execute (SKIPPED: ${missing})` : "notebooks execute with the tslab kernel", () => {
  it("Jupyter, the tslab kernel and the stratlab link are installed", () => {
    expect(missing, "CI must run the notebooks").toBeUndefined();
    checkResolvable(PACKAGE_ROOT);
  });

  for (const name of notebooks) {
    it(
      `${name} runs without a failing cell`,
      async () => {
        if (missing !== undefined) throw new Error(missing);
        const outDir = mkdtempSync(join(tmpdir(), "stratlab-nb-"));
        // The first notebook runs as if the front end had plotly (JupyterLab with its
        // extension, VS Code): no figure may embed plotly.js. The others embed it once.
        const frontend = name === notebooks[0];
        process.env.STRATLAB_NOTEBOOK_PLOTLY = frontend ? "frontend" : "embed";
        const run = await executeNotebook(join(NOTEBOOK_DIR, name), outDir, { cellTimeoutSec: 600 }).finally(() => delete process.env.STRATLAB_NOTEBOOK_PLOTLY);
        const message = describeRun(run, outDir);
        expect(run.failures.length, message).toBe(0);
        expect(run.exitCode, message).toBe(0);
        checkOutputs(name, join(outDir, name), frontend);
        console.log(`notebooks: ${name} ran in ${run.seconds.toFixed(1)} s`);
        rmSync(outDir, { recursive: true, force: true });
      },
      12 * 60_000,
    );
  }
});

/** Outputs of an executed notebook: plots carry plotly's MIME bundle; plotly.js at most once; progress bars end drawn. */
function checkOutputs(name: string, executed: string, frontend: boolean): void {
  const cells = readCells(executed);
  const outputs = cells.flatMap((c) => (c.outputs ?? []) as Array<{ data?: Record<string, unknown> }>);
  const plots = outputs.filter((o) => o.data?.["text/html"] !== undefined && String(o.data["text/html"]).includes("stratlab-plot-"));
  for (const p of plots) {
    const fig = p.data?.[PLOTLY_MIME] as { data?: unknown[]; layout?: unknown } | undefined;
    expect(fig?.data?.length, `${name}: a plot without plotly's MIME bundle`).toBeGreaterThan(0);
  }
  // Once per notebook: in the first plot, or in an output of its own before a live plot.
  const withLibrary = outputs.filter((o) => /\* plotly\.js v\d/.test(String(o.data?.["text/html"] ?? ""))).length;
  expect(withLibrary, `${name}: outputs embedding plotly.js`).toBe(frontend || plots.length === 0 ? 0 : 1);
  if (frontend) expect(statSync(executed).size, `${name}: executed size`).toBeLessThan(1_000_000);
  if (name.startsWith("01-")) {
    // `df.head(5)` as a cell's value: an HTML table, not console text.
    const tables = outputs.map((o) => String(o.data?.["text/html"] ?? "")).filter((h) => h.includes('class="stratlab-table"'));
    expect(tables.some((h) => h.includes("DataFrame: 5 rows x 6 columns")), `${name}: DataFrame as HTML`).toBe(true);
  }
  if (name.startsWith("04-")) {
    // The first backtest is cancelled at bar 80,000: its bar shows where it stopped.
    const bars = outputs.map((o) => String(o.data?.["text/html"] ?? "")).filter((h) => h.includes("<progress"));
    expect(bars.some((h) => h.includes('data-state="cancelled"') && h.includes('value="80000"') && h.includes("cancelled at bar 80,000")), `${name}: cancelled bar`).toBe(true);
    expect(bars.some((h) => h.includes('data-state="complete"')), `${name}: completed bar`).toBe(true);
  }
}

function describeRun(run: NotebookRun, outDir: string): string {
  const head = (s: string, n: number) => s.split("\n").slice(0, n).join("\n");
  const tail = (s: string, n: number) => s.split("\n").slice(-n).join("\n");
  const cells = run.failures.map((f) => `cell ${f.index} failed:\n  ${head(f.source, 6).replace(/\n/g, "\n  ")}\n--- its error ---\n${tail(f.output, 30)}`);
  return [
    `${run.notebook}: ${run.failures.length} failing cell(s), nbconvert exit ${run.exitCode}, ${run.seconds.toFixed(1)} s (executed copy kept in ${outDir})`,
    ...cells.slice(0, 3),
    ...(run.exitCode !== 0 ? [`--- nbconvert ---\n${run.log}`] : []),
    `reproduce: ${run.command}`,
  ].join("\n");
}
