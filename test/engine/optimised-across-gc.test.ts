/**
 * A full GC must not throw away the evaluator's optimised account code (issue 10, round
 * 2): an Account's final hidden class is reachable from the class only through V8's weak
 * transitions, so with no Account alive between evaluations a full GC killed that map and
 * deoptimised runAccount, Account, runEvents and metrics ("weak objects" in
 * --trace-deopt); the evaluations after it ran in baseline code, ~25 KB allocated each
 * instead of ~3 KB. Checked on the compiled dist/ in a node process of its own (V8 flags).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIST = join(__dirname, "..", "..", "dist", "lib");

// Evaluates sma_cross on a seeded 20,000-bar random walk until V8 has optimised it, then
// runs two full GCs and a few more evaluations.
const SCRIPT = `
const { barsFromColumns } = require(${JSON.stringify(join(DIST, "data", "bars"))});
const { parseCostTable } = require(${JSON.stringify(join(DIST, "costs", "cost-table"))});
const { Evaluator } = require(${JSON.stringify(join(DIST, "engine", "evaluate"))});
const { getStrategy } = require(${JSON.stringify(join(DIST, "strategies", "registry"))});
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const n = 20000;
const close = [];
let x = 100;
for (let i = 0; i < n; i++) close.push((x *= 1 + (rand() - 0.5) * 0.01));
const open = close.map((c, i) => (i === 0 ? c : close[i - 1]));
const bars = barsFromColumns({ t: close.map((_, i) => 1.7e12 + i * 300000), open, high: close.map((c, i) => Math.max(c, open[i])), low: close.map((c, i) => Math.min(c, open[i])), close, volume: close.map(() => 1) });
const ev = new Evaluator(bars, parseCostTable({ gas: 1, buckets: [{ size: 1e6, impact: 0.001 }, { size: 1e9, impact: 0.01 }] }));
const s = getStrategy("sma_cross");
const p = { fast: 20, slow: 120 };
const opts = { path: "events" };
for (let i = 0; i < 4000; i++) ev.evaluate(s, p, 10000, opts);
console.log("MARK full GC");
gc(); gc();
for (let i = 0; i < 20; i++) ev.evaluate(s, p, 10000, opts);
console.log("END");
`;

describe("the evaluator across a full GC", () => {
  it("keeps its account code optimised (no 'weak objects' deopt)", () => {
    const r = spawnSync(process.execPath, ["--expose-gc", "--trace-opt", "--trace-deopt", "-e", SCRIPT], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    const afterGc = out.slice(out.indexOf("MARK full GC"));
    expect(out).toContain("END");
    // The check below means something only if TurboFan had compiled the account code.
    const beforeGc = out.slice(0, out.indexOf("MARK full GC"));
    expect(beforeGc).toMatch(/completed (compiling|optimizing)[^\n]*runAccount/);
    const killed = afterGc.split("\n").filter((l) => l.includes("weak objects") && /runAccount|runEvents|metrics|SharedFunctionInfo Account>/.test(l));
    expect(killed).toEqual([]);
  });
});
