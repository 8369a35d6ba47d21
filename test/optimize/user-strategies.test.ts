/**
 * Your own strategies on the worker pool: a notebook-style strategy (self-contained signal
 * sent as source) and a file strategy (--strategy-file, .ts compiled by the project's
 * TypeScript) each optimise on 2 workers with every trial complete, the same trials as on
 * 1 worker and after kill -9; a throwing strategy ends complete_with_failures (exit 3) and
 * only --retry-failed evaluates its failed trials again; a changed file is refused on resume.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadCodeFile } from "../../lib/optimize/code-file";
import { defineStrategy } from "../../lib/strategies/define";
import { canonicalTrials, fixture, journalLines, parseJson, requireCli, runCli, runDirNamed, startCli, waitUntil } from "./cli-fixtures";

const DIST = resolve(__dirname, "../../dist/lib/index.js");
const FILE = resolve(__dirname, "fixtures/file-strategy.ts");
const SCRIPT = resolve(__dirname, "fixtures/inline-strategy-run.js");
const TRIALS = 48;

function inlineRun(data: string, runs: string, name: string, workers: number) {
  const r = spawnSync(process.execPath, [SCRIPT, data, runs, name, String(workers), String(TRIALS)], { encoding: "utf8", env: { ...process.env, STRATLAB_DIST: DIST }, timeout: 120_000 });
  return { code: r.status, doc: r.status === 0 ? parseJson(r.stdout) : {}, stderr: r.stderr };
}

const states = (dir: string) => readFileSync(join(dir, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).state as string);

describe("defineStrategy: a self-contained signal", () => {
  it("refuses, in one line at definition, a signal that captures a variable of its cell", () => {
    const threshold = 0.5;
    const define = () =>
      defineStrategy({
        name: "captures",
        params: [{ name: "n", type: "int", low: 2, high: 10, default: 3 }],
        signal: (_ctx, _p, w) => {
          w.fill(threshold);
        },
      });
    expect(define).toThrow(/^strategy "captures": its signal uses "threshold" from outside the function, which a worker thread cannot see;[^\n]*$/);
  });

  it("checks the parameter space like the built-ins' (bounds, log scale, defaults)", () => {
    const base = { name: "bad_space", signal: (_c: unknown, _p: unknown, w: Float64Array) => w.fill(0) };
    expect(() => defineStrategy({ ...base, params: [{ name: "n", type: "int", low: 10, high: 2, default: 5 }] })).toThrow(/bad_space\.n: bounds \[10, 2\]/);
    expect(() => defineStrategy({ ...base, params: [{ name: "n", type: "float", low: 0, high: 2, log: true, default: 1 }] })).toThrow(/log-scale parameter needs low > 0/);
    expect(() => defineStrategy({ ...base, params: [{ name: "n", type: "int", low: 1, high: 5, default: 9 }] })).toThrow(/bad_space\.n = 9 is out of bounds/);
    expect(() => defineStrategy({ ...base, name: "sma_cross", params: [] })).toThrow(/taken by a built-in/);
  });
});

describe("code files: one-line errors", () => {
  it("names the file (and line) for a syntax error, a throwing module, a missing file, another extension", () => {
    const dir = mkdtempSync(join(tmpdir(), "stratlab-code-"));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    expect(() => loadCodeFile(file("syntax.ts", "export const x = {\n  a: 1,,\n};\n"))).toThrow(/^.*syntax\.ts line 2: [^\n]+$/);
    expect(() => loadCodeFile(file("throws.js", "throw new Error('boom at load');"))).toThrow(/^.*throws\.js: loading it failed: boom at load$/);
    expect(() => loadCodeFile(join(dir, "missing.ts"))).toThrow(/missing\.ts: cannot read the code file \(ENOENT\)$/);
    expect(() => loadCodeFile(file("x.mjs", "export {}"))).toThrow(/a code file must be \.ts or \.js \(CommonJS\), not \.mjs$/);
    const ok = loadCodeFile(file("ok.js", `const { defineStrategy } = require("stratlab");
exports.s = defineStrategy({ name: "from_js", params: [], signal: (_c, _p, w) => w.fill(1) });`));
    expect(ok.strategies).toEqual(["from_js"]);
  });
});

describe("user strategies on the worker pool", () => {
  let fx: ReturnType<typeof fixture>;
  beforeAll(() => {
    requireCli();
    fx = fixture(40, 5);
  });

  it("a notebook-defined strategy: every trial complete, the same trials on 1 and 2 workers and after kill -9", async () => {
    const one = inlineRun(fx.data, fx.runs, "inline1", 1);
    expect(one.code, one.stderr).toBe(0);
    const two = inlineRun(fx.data, fx.runs, "inline2", 2);
    expect(two.code, two.stderr).toBe(0);
    expect(two.doc.status).toBe("complete");
    expect(states(String(two.doc.dir)).every((s) => s === "complete")).toBe(true);
    const reference = canonicalTrials(String(one.doc.dir));
    expect(reference).toHaveLength(TRIALS);
    expect(canonicalTrials(String(two.doc.dir))).toEqual(reference);

    const child = spawn(process.execPath, [SCRIPT, fx.data, fx.runs, "inlinekill", "2", String(TRIALS)], { env: { ...process.env, STRATLAB_DIST: DIST }, stdio: "ignore" });
    let exited = false;
    const done = new Promise((r) => child.on("exit", () => r((exited = true))));
    await waitUntil(() => (runDirNamed(fx.runs, "inlinekill") !== null && journalLines(join(runDirNamed(fx.runs, "inlinekill")!, "trials.jsonl")) >= 8) || exited, 60_000, 1);
    child.kill("SIGKILL");
    await done;
    expect(journalLines(join(runDirNamed(fx.runs, "inlinekill")!, "trials.jsonl")), "killed before the end").toBeLessThan(TRIALS);
    const resumed = inlineRun(fx.data, fx.runs, "inlinekill", 2);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(canonicalTrials(String(resumed.doc.dir))).toEqual(reference);
    // Resumed where the strategy is not defined (the CLI): one line saying where it can be.
    const cli = runCli(["optimize", "--resume-from", String(resumed.doc.dir), "--no-report"]);
    expect(cli.code).toBe(2);
    expect(cli.stderr.trim().split("\n").pop()).toMatch(/^RunError: .* was made with strategy "cell_sma" defined in a notebook or script \(no file\); run its defineStrategy again/);
  });

  it("a file strategy (.ts): every trial complete, the same trials on 1 and 2 workers and after kill -9; a changed file is refused on resume", async () => {
    const file = join(fx.dir, "my-strategy.ts");
    copyFileSync(FILE, file);
    const args = (name: string, workers: number) => ["optimize", "--data", fx.data, "--strategy-file", file, "--strategy", "file_sma", "--period", "all", "--trials", String(TRIALS), "--batch-size", "8", "--seed", "5", "--max-workers", String(workers), "--out", fx.runs, "--name", name, "--no-report", "--json"];
    const one = runCli(args("file1", 1));
    expect(one.code, one.stderr).toBe(0);
    const two = runCli(args("file2", 2));
    expect(two.code, two.stderr).toBe(0);
    const dir = String(parseJson(two.stdout).dir);
    expect(states(dir).every((s) => s === "complete")).toBe(true);
    expect(canonicalTrials(dir)).toHaveLength(TRIALS);
    expect(canonicalTrials(dir)).toEqual(canonicalTrials(String(parseJson(one.stdout).dir)));
    const killed = startCli(args("filekill", 2));
    await waitUntil(() => (runDirNamed(fx.runs, "filekill") !== null && journalLines(join(runDirNamed(fx.runs, "filekill")!, "trials.jsonl")) >= 8) || killed.exited(), 60_000, 1);
    killed.proc.kill("SIGKILL");
    expect((await killed.done).signal, "killed before the end").toBe("SIGKILL");
    expect(journalLines(join(runDirNamed(fx.runs, "filekill")!, "trials.jsonl"))).toBeLessThan(TRIALS);
    const resumed = runCli(args("filekill", 2));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(canonicalTrials(String(parseJson(resumed.stdout).dir))).toEqual(canonicalTrials(dir));
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(manifest.code.strategies.file_sma).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), file });

    writeFileSync(file, readFileSync(file, "utf8").replace("EXTRA_WARMUP = 2", "EXTRA_WARMUP = 3"));
    const changed = runCli(["optimize", "--resume-from", dir, "--no-report", "--trials", String(TRIALS + 8)]);
    expect(changed.code).toBe(2);
    expect(changed.stderr.trim().split("\n").pop()).toMatch(/^RunError: cannot resume .*strategy "file_sma" changed since the run was made \(code sha256 [0-9a-f]{12}, now [0-9a-f]{12}\)/);
  });

  it("a throwing strategy ends complete_with_failures (exit 3); only --retry-failed evaluates the failed trials again", () => {
    const args = ["optimize", "--data", fx.data, "--strategy-file", FILE, "--strategy", "thrower", "--period", "all", "--trials", "10", "--batch-size", "5", "--sampler", "grid", "--out", fx.runs, "--name", "throws", "--no-report", "--json"];
    const r = runCli(args);
    expect(r.code, r.stderr).toBe(3);
    const doc = parseJson(r.stdout);
    expect(doc.status).toBe("complete_with_failures");
    const dir = String(doc.dir);
    const lines = readFileSync(join(dir, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const failed = lines.filter((l) => l.state === "failed");
    expect(failed.length).toBe(4); // x = 7..10
    for (const l of failed) expect(l.error).toBe(`x is too big: ${l.params.x}`);
    expect(doc.failed_trials).toBe(4);

    const again = runCli(["optimize", "--resume-from", dir, "--no-report", "--json"]);
    expect(again.code).toBe(3);
    expect(parseJson(again.stdout).new_trials).toBe(0);
    expect(journalLines(join(dir, "trials.jsonl"))).toBe(10);

    const retried = runCli(["optimize", "--resume-from", dir, "--no-report", "--retry-failed", "--json"]);
    expect(retried.code).toBe(3);
    expect(parseJson(retried.stdout).new_trials).toBe(4);
    expect(journalLines(join(dir, "trials.jsonl"))).toBe(14);
    // The report reads the last line of each trial.
    const rep = runCli(["report", dir, "--json"]);
    expect(rep.code, rep.stderr).toBe(0);
  });
});
