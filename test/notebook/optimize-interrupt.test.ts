/**
 * A notebook interrupt stops `optimize` (and `backtest`, `train`) from "stratlab" cleanly, and the
 * kernel lives on to resume them.
 *
 * tslab runs a cell's synchronous part through vm with `breakOnSigint` (which takes the
 * SIGINT listeners away meanwhile) and interrupts by SIGINT. A child process plays the
 * kernel: its own SIGINT listener, the cells run the same way, SIGINT sent mid-run.
 * Starting a run synchronously inside such a cell used to leave Node's signal-exit handler
 * behind, and the interrupt killed the process (exit 130) instead of stopping the run
 * (lib/notebook/cell-start.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_DATA } from "../../lib/paths";
import { smallStudy } from "./fixtures";

const INDEX = join(__dirname, "../../dist/lib/index.js");
const study = smallStudy("interrupted", { trials: 96, handleSignals: undefined });
afterAll(() => rmSync(study.tmp, { recursive: true, force: true }));

/** A child process that plays the kernel and runs `cells` (a script body) in order. */
function kernel(cells: string): string {
  return `
const vm = require("node:vm");
process.on("SIGINT", () => {}); // the kernel's own listener: tslab fails the running cell
globalThis.__stratlab = require(${JSON.stringify(INDEX)});
globalThis.__study = ${JSON.stringify({ ...study, tmp: undefined })};
globalThis.__sent = false;
const cell = (code) => vm.runInThisContext("(async () => {" + code + "})()", { breakOnSigint: true });
(async () => {
${cells}
})();
`;
}

function runKernel(name: string, cells: string) {
  const script = join(study.tmp, `${name}.js`);
  writeFileSync(script, kernel(cells));
  return spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 120_000 });
}

describe("a notebook cell", () => {
  it("optimize: SIGINT stops the run with status cancelled, the process lives on, and the same call resumes it", () => {
    expect(existsSync(INDEX), `${INDEX} is missing: run npm run build`).toBe(true);
    const r = runKernel("optimize", `
  const report = (r) => console.log(JSON.stringify({ status: r.status, trials: r.trials.length, newTrials: r.outcome.newTrials, dir: r.dir }));
  // The first cell: interrupted once some trials are in the journal.
  await cell("return __stratlab.optimize({ ...__study, onLog: () => {}, onProgress: (p) => { if (!__sent && p.done >= 16) { __sent = true; process.kill(process.pid, 'SIGINT'); } } })").then(report);
  // Running the cell again resumes.
  await cell("return __stratlab.optimize({ ...__study, onLog: () => {}, onProgress: () => {} })").then(report);`);
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: "" });
    const [stopped, resumed] = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { status: string; trials: number; newTrials: number; dir: string });
    expect(stopped.status).toBe("cancelled");
    expect(stopped.trials).toBeGreaterThanOrEqual(16);
    expect(stopped.trials).toBeLessThan(4 * 96);
    expect(resumed).toEqual({ status: "complete", trials: 4 * 96, newTrials: 4 * 96 - stopped.trials, dir: stopped.dir });
  });

  it("backtest: SIGINT cancels it with a CancelledError, the process lives on, and resume: true finishes it", () => {
    expect(existsSync(DEFAULT_DATA), `${DEFAULT_DATA} is missing: run npx stratlab setup`).toBe(true);
    const r = runKernel("backtest", `
  // The bundled data (210,240 bars): long enough for the bar loop to look at the event loop (every 50 ms) before it ends.
  const request = { strategy: "sma_cross", params: { fast: 20, slow: 100 }, costs: __study.costs };
  const opts = { root: __study.out + "-checkpoints", resume: true, progressEveryMs: 0 };
  const stopped = await cell("return __stratlab.backtest(" + JSON.stringify(request) + ", { ..." + JSON.stringify(opts) + ", onProgress: () => { if (!__sent) { __sent = true; setImmediate(() => process.kill(process.pid, 'SIGINT')); } } })").then(() => "completed", (e) => e.constructor.name);
  const again = await cell("return __stratlab.backtest(" + JSON.stringify(request) + ", " + JSON.stringify(opts) + ")");
  console.log(JSON.stringify({ stopped, resumed: again.resumedFrom !== undefined }));`);
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: "" });
    expect(JSON.parse(r.stdout.trim())).toEqual({ stopped: "CancelledError", resumed: true });
  });

  it("train: SIGINT cancels it with a cancellation checkpoint, the process lives on, and resume: true finishes it", () => {
    const r = runKernel("train", `
  const data = __study.out + "-train-bars.csv";
  __stratlab.writeBarsCsv(__stratlab.generateBars({ days: 5, seed: 3 }), data);
  const request = { data, epochs: 12, hidden: [4], batchSize: 128, out: __study.out + "-model", checkpoint: {} };
  const opts = { root: __study.out + "-train-checkpoints", resume: true };
  const stopped = await cell("return __stratlab.train(" + JSON.stringify(request) + ", { ..." + JSON.stringify(opts) + ", onEpoch: (e) => { if (!__sent && e.epoch === 2) { __sent = true; process.kill(process.pid, 'SIGINT'); } } })").then(() => "completed", (e) => e.constructor.name + (/at unit (\\d+)/.exec(e.message) || [])[1]);
  const again = await cell("return __stratlab.train(" + JSON.stringify(request) + ", " + JSON.stringify(opts) + ")");
  console.log(JSON.stringify({ stopped, resumed: again.resumedFrom !== undefined, epoch: again.result.epoch }));`);
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: "" });
    const out = JSON.parse(r.stdout.trim()) as { stopped: string; resumed: boolean; epoch: number };
    expect(out.stopped).toMatch(/^CancelledError[23]$/);
    expect(out).toMatchObject({ resumed: true, epoch: 12 });
  });
});
