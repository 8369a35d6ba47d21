/**
 * ml_signal: evaluated by the worker pool (real worker threads, alone and with overlays) it
 * gives the in-process evaluator's numbers; the model's predictions are computed once per
 * process and bars (the same array back), and again only when the folder is rewritten; the
 * sampler space proposes valid parameters (the model param stays the given default); and an
 * evaluation loads no tfjs.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseCostTable } from "../../lib/costs/cost-table";
import { generateBars } from "../../lib/data/generate";
import { Evaluator } from "../../lib/engine/evaluate";
import { EvaluatorPool } from "../../lib/optimize/pool";
import { createSampler, SAMPLER_NAMES, type TrialRecord } from "../../lib/optimize/samplers";
import { Rng } from "../../lib/random/rng";
import type { EvalTask } from "../../lib/optimize/task";
import { validateParams } from "../../lib/strategies/params";
import { getStrategy } from "../../lib/strategies/registry";
import { cachedPredictions } from "../../lib/train/load";
import { TINY_MODEL } from "./fixtures";

const bars = generateBars({ days: 30, seed: 5 });
const costs = parseCostTable({ gas: 0.5, buckets: [{ size: 1000, impact: 0.0005 }, { size: 100000, impact: 0.002 }] });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stratlab-ml-signal-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("on the worker pool (alone and with overlays) = the in-process evaluator", async () => {
  const tasks: EvalTask[] = [];
  const cases: [string, Record<string, unknown>][] = [
    ["ml_signal", { model: TINY_MODEL }],
    ["ml_signal", { model: TINY_MODEL, entry: 0.52, exit: 0.48 }],
    ["ml_signal", { model: TINY_MODEL, entry: 0.6, exit: 0.4 }],
    ["ml_signal+regime", { model: TINY_MODEL, entry: 0.51 }],
    ["ml_signal+regime+volcap", { model: TINY_MODEL, entry: 0.5, exit: 0.5 }],
  ];
  cases.forEach(([strategy, p], id) => tasks.push({ id, study: "s", strategy, params: validateParams(getStrategy(strategy), p), tradeSizes: [1000] }));
  const pool = await EvaluatorPool.start(bars, costs, 2);
  let results;
  try {
    results = await pool.evaluate(tasks);
  } finally {
    await pool.close();
  }
  const ev = new Evaluator(bars, costs);
  let trading = 0;
  for (const [i, r] of results.entries()) {
    expect(r.error, JSON.stringify(tasks[i])).toBeUndefined();
    const local = ev.evaluate(getStrategy(tasks[i]!.strategy), tasks[i]!.params, [1000])[0]!;
    expect(r.results[0]!.periods).toEqual(local.periods);
    if (local.metrics.swaps > 0) trading++;
  }
  expect(trading, "the cases trade").toBeGreaterThanOrEqual(3);
});

test("a missing model on the pool: the trial fails with the one-line ModelError", async () => {
  const pool = await EvaluatorPool.start(bars, costs, 1);
  try {
    const [r] = await pool.evaluate([{ id: 0, study: "s", strategy: "ml_signal", params: { model: join(dir, "nothing"), entry: 0.55, exit: 0.5 }, tradeSizes: [1000] }]);
    expect(r!.error).toMatch(/^model folder .*nothing: manifest.json is missing; retrain it/);
  } finally {
    await pool.close();
  }
});

test("predictions are computed once per model and bars, and again after the folder is rewritten", () => {
  const model = join(dir, "copy");
  mkdirSync(model);
  for (const f of ["topology.json", "weights.bin", "normalisation.json", "features.json", "manifest.json"]) copyFileSync(join(TINY_MODEL, f), join(model, f));
  const a = cachedPredictions(model, bars);
  expect(cachedPredictions(model, bars)).toBe(a);
  const other = generateBars({ days: 30, seed: 6 });
  expect(cachedPredictions(model, other)).not.toBe(a);
  // A retrain rewrites manifest.json last: a new stamp, predictions recomputed (same values here).
  writeFileSync(join(model, "manifest.json"), readFileSync(join(model, "manifest.json"), "utf8") + "\n");
  const b = cachedPredictions(model, bars);
  expect(b).not.toBe(a);
  expect(b).toEqual(a);
});

test("the sampler space: the model param is a choice of the default; any given folder path is valid", () => {
  const s = getStrategy("ml_signal");
  expect(s.params.map((p) => p.name)).toEqual(["model", "entry", "exit"]);
  expect(validateParams(s, {})).toEqual({ model: "default", entry: 0.55, exit: 0.5 });
  expect(validateParams(s, { model: "/some/folder" }).model).toBe("/some/folder");
  expect(() => validateParams(s, { model: "" })).toThrow(/ml_signal.model = "" is not allowed; use a non-empty string or one of "default"/);
  expect(() => validateParams(s, { model: 3 })).toThrow(/is not allowed/);
});

test("every sampler proposes valid ml_signal parameters (the model stays the default; entry and exit searched)", () => {
  const strategy = getStrategy("ml_signal");
  for (const name of SAMPLER_NAMES) {
    const sampler = createSampler(name);
    const history: TrialRecord[] = [];
    for (let k = 0; k < 3; k++) {
      const batch = sampler.propose({ strategy, history, firstId: history.length, count: 8, rng: Rng.derive(1, name, k), totalTrials: 24, seed: 1 });
      expect(batch, name).toHaveLength(8);
      for (const p of batch) {
        expect(validateParams(strategy, p), `${name} ${JSON.stringify(p)}`).toEqual(p);
        expect(p.model).toBe("default");
        history.push({ id: history.length, params: p, value: (p.entry as number) - (p.exit as number) });
      }
    }
    expect(new Set(history.map((t) => `${t.params.entry}/${t.params.exit}`)).size, name).toBeGreaterThan(12);
  }
});

test("evaluating ml_signal loads no tfjs (a fresh process: registry, evaluator, prediction)", () => {
  const dist = resolve(__dirname, "../../dist/lib");
  const script = `
const { Evaluator } = require(${JSON.stringify(join(dist, "engine/evaluate.js"))});
const { getStrategy } = require(${JSON.stringify(join(dist, "strategies/registry.js"))});
const { generateBars } = require(${JSON.stringify(join(dist, "data/generate.js"))});
const { parseCostTable } = require(${JSON.stringify(join(dist, "costs/cost-table.js"))});
const ev = new Evaluator(generateBars({ days: 10, seed: 1 }), parseCostTable({ gas: 0.5, buckets: [{ size: 1000, impact: 0.001 }] }));
const [r] = ev.evaluate(getStrategy("ml_signal"), { model: ${JSON.stringify(TINY_MODEL)}, entry: 0.5, exit: 0.5 }, [1000]);
process.stdout.write(JSON.stringify({ swaps: r.metrics.swaps, tfjs: Object.keys(require.cache).filter((k) => k.includes("@tensorflow")).length }));`;
  const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  expect(child.status, child.stderr).toBe(0);
  const out = JSON.parse(child.stdout) as { swaps: number; tfjs: number };
  expect(out.swaps).toBeGreaterThan(0);
  expect(out.tfjs).toBe(0);
});
