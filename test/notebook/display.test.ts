/** The notebook display helpers render plain data to HTML, and print text outside a kernel. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { delimiter } from "node:path";
import { jupyterEnv, jupyterDataDir, nbconvertCommand } from "../../lib/notebook/jupyter";
import { plotHtml, thinTrace } from "../../lib/notebook/plot";
import { progressBar, progressHtml } from "../../lib/notebook/progress";
import { showTable, tableData, tableHtml } from "../../lib/notebook/table";
import { inNotebook } from "../../lib/notebook/display";
import { cellFailures } from "../../lib/notebook/run";

afterEach(() => vi.restoreAllMocks());

describe("tables", () => {
  it("records become columns in first-seen key order, escaped, limited", () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ i, name: i === 0 ? "<b>&" : `r${i}`, x: i / 3 }));
    const html = tableHtml(rows, { limit: 5 });
    expect(html).toContain("<th style=\"text-align:right\">i</th><th>name</th>");
    expect(html).toContain("&lt;b&gt;&amp;");
    expect(html).not.toContain("<b>&");
    expect(html.match(/<tr>/g)?.length).toBe(1 + 5);
    expect(html).toContain("5 of 30 rows");
    expect(html).toContain("0.333333");
  });

  it("reads a DataFrame through columns, values and a non-default index", () => {
    const frame = { columns: ["a", "b"], values: [[1, 2], [3, 4]], index: ["mean", "std"] };
    expect(tableData(frame)).toEqual({ columns: ["", "a", "b"], rows: [["mean", 1, 2], ["std", 3, 4]] });
    expect(tableData({ columns: ["a"], values: [[1]], index: [0] })).toEqual({ columns: ["a"], rows: [[1]] });
  });

  it("prints text outside a notebook", () => {
    expect(inNotebook()).toBe(false);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    showTable([{ a: 1 }, { a: 22 }]);
    expect(log.mock.calls[0][0]).toBe("a\n1\n22\n(2 of 2 rows)");
  });
});

describe("plots", () => {
  it("thins long lines to about maxPoints, keeping ends and extremes", () => {
    const y = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 1000));
    y[54_321] = 50;
    y[77_777] = -50;
    const t = thinTrace({ y, x: Float64Array.from(y, (_, i) => i * 10) }, 1000);
    const ty = t.y as number[];
    const tx = t.x as number[];
    expect(ty.length).toBeLessThanOrEqual(1002);
    expect(ty.length).toBeGreaterThan(900);
    expect(tx[0]).toBe(0);
    expect(tx[tx.length - 1]).toBe(999_990);
    expect(Math.max(...ty)).toBe(50);
    expect(Math.min(...ty)).toBe(-50);
    expect(tx).toContain(543_210);
    expect(tx.every((v, i) => i === 0 || v > tx[i - 1])).toBe(true);
  });

  it("leaves short traces and non-line traces alone", () => {
    const bar = { type: "bar", y: new Array(10_000).fill(1) };
    expect(thinTrace(bar, 100)).toBe(bar);
    const short = { y: [1, 2, 3] };
    expect(thinTrace(short, 100)).toBe(short);
  });

  it("inlines figure data safely, embeds plotly.js only when asked", () => {
    const html = plotHtml({ data: [{ y: new Float64Array([1, NaN, 3]), name: "</script><script>alert(1)" }], layout: { title: "t" } });
    expect(html).toContain('"y":[1,null,3]');
    expect(html.match(/<\/script>/g)?.length).toBe(1);
    expect(html).not.toContain("plotly.js v");
    const first = plotHtml({ data: [{ y: [1] }] }, { withLibrary: true });
    expect(first).toContain("window.Plotly = Plotly");
  });
});

describe("progress", () => {
  it("prints a line per 10% outside a notebook, and the end once", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const bar = progressBar(200, "trials");
    for (let i = 0; i < 200; i++) bar.tick();
    bar.update(200);
    bar.finish();
    const lines = log.mock.calls.map((c) => String(c[0]));
    expect(lines.length).toBe(11);
    expect(lines[0]).toMatch(/^trials: 0\/200 \(0%\)/);
    expect(lines[10]).toMatch(/^trials: 200\/200 \(100%\)/);
  });

  it("renders an HTML bar with percent and time left", () => {
    const html = progressHtml("a<b", 25, 100, 10);
    expect(html).toContain("a&lt;b");
    expect(html).toContain('<progress value="25" max="100"');
    expect(html).toContain("25.0% · 25/100 · 10.0 s · 30.0 s left");
  });
});

describe("headless runs", () => {
  it("puts the project's kernel folder first on JUPYTER_PATH", () => {
    const env = jupyterEnv("/r", { JUPYTER_PATH: `/a${delimiter}/r/.jupyter/share/jupyter` });
    expect(env.JUPYTER_PATH).toBe(`${jupyterDataDir("/r")}${delimiter}/a`);
    const cmd = nbconvertCommand("notebooks/x.ipynb", "/tmp/o", { root: "/r" });
    expect(cmd.args).toEqual(expect.arrayContaining(["nbconvert", "--execute", "--ExecutePreprocessor.kernel_name=tslab", "--ExecutePreprocessor.timeout=600", "/tmp/o", "notebooks/x.ipynb"]));
    expect(cmd.env.JUPYTER_PATH?.split(delimiter)[0]).toBe("/r/.jupyter/share/jupyter");
  });

  it("finds failing cells by the hook's mark or an error output", () => {
    const cells = [
      { cell_type: "code", source: "ok()", outputs: [{ output_type: "stream", name: "stderr", text: "a warning\n" }] },
      { cell_type: "code", source: ["bad", "()"], metadata: { stratlab_failed: true }, outputs: [{ output_type: "stream", name: "stdout", text: "hi" }, { output_type: "stream", name: "stderr", text: ["Error: ", "\u001b[31mboom\u001b[0m"] }] },
      { cell_type: "code", source: "x", outputs: [{ output_type: "error", ename: "TypeError", evalue: "nope", traceback: ["at x"] }] },
    ];
    expect(cellFailures(cells)).toEqual([
      { index: 1, source: "bad()", output: "Error: boom" },
      { index: 2, source: "x", output: "TypeError: nope\nat x" },
    ]);
  });
});
