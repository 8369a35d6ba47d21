/**
 * The hostile-input corpus (test/fixtures/hostile/) against every command: each input must be
 * refused with exit code 2 and one line on stderr (no raw control character, no stack
 * trace, at most a few hundred characters), with no file written outside the run's folder,
 * no temp file left and the good data (bars, costs, a run, a checkpoint root) unchanged.
 *
 * The argument vectors of cases.json run as real processes (4 at a time). The numeric and
 * duration flags x values.json matrix (~200 runs, all refused while parsing flags) calls the
 * CLI's `main` in-process: the same code path, without ~200 Node start-ups.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../lib/cli/main";
import { COMMANDS } from "../../lib/cli/commands";
import { lab, type Lab } from "../backtest/fixtures";
import { snapshot } from "../checkpoint/helpers";
import { makeRunDir } from "../report/fixtures";
import { runCli, type CliRun } from "./run-cli";

const FIXTURES = join(__dirname, "../fixtures/hostile");
const corpus = JSON.parse(readFileSync(join(FIXTURES, "cases.json"), "utf8")) as { cases: string[][] };
const values = JSON.parse(readFileSync(join(FIXTURES, "values.json"), "utf8")) as { numbers: string[]; durations: string[] };

/** Every numeric and duration flag of every command, with the arguments that make the rest of the call valid. */
const FLAG_MATRIX: { argv: string[]; numbers: string[]; durations: string[] }[] = [
  { argv: ["evaluate", "--strategy", "sma_cross", "--data", "{bars}", "--costs", "{costs}"], numbers: ["trade-size"], durations: [] },
  {
    argv: ["optimize", "--strategy", "sma_cross", "--out", "{out}", "--no-report", "--data", "{bars}", "--costs", "{costs}"],
    numbers: ["trials", "seed", "max-workers", "cpu-fraction", "report-frequency", "trade-size", "batch-size", "abort-drawdown", "trials-per-job"],
    durations: [],
  },
  { argv: ["main", "--out", "{out}"], numbers: ["trials", "max-workers", "cpu-fraction"], durations: [] },
  {
    argv: ["backtest", "--strategy", "sma_cross", "--root", "{out}", "--data", "{bars}", "--costs", "{costs}"],
    numbers: ["trade-size", "checkpoint-every", "checkpoint-minutes", "equity-every", "stop-after-bars"],
    durations: [],
  },
  { argv: ["data", "generate", "--out", "{out}/gen.csv"], numbers: ["days", "seed", "bar-minutes", "start-price"], durations: [] },
  { argv: ["report", "{run}", "--no-curves"], numbers: ["top"], durations: [] },
  { argv: ["checkpoints", "list", "--root", "{ck}"], numbers: [], durations: ["older-than"] },
  { argv: ["checkpoints", "cleanup", "--dry-run", "--root", "{ck}"], numbers: [], durations: ["max-age"] },
  { argv: ["operations", "cancel", "{op}", "--root", "{ck}"], numbers: [], durations: ["wait"] },
  {
    argv: ["costs", "fetch", "--source", "amm", "--reserve-quote", "1000000", "--fee", "0.003", "--gas", "1", "--step", "1000", "--end", "3000", "--out", "{out}/costs.json"],
    numbers: ["gas", "step", "end", "parallel", "retries", "reserve-quote", "fee"],
    durations: ["pause", "timeout"],
  },
  { argv: ["costs", "show", "{costs}"], numbers: ["sizes"], durations: [] },
  {
    argv: ["train", "--data", "{bars}", "--epochs", "1", "--out", "{out}/model", "--root", "{ck}"],
    numbers: ["epochs", "hidden", "lr", "batch-size", "horizon", "seed", "dropout", "patience", "checkpoint-every", "checkpoint-minutes", "stop-after-epochs"],
    durations: [],
  },
  { argv: ["worker", "--redis", "redis://127.0.0.1:1"], numbers: ["concurrency", "lock-duration", "stalled-interval"], durations: [] },
  { argv: ["serve", "--host", "127.0.0.1", "--root", "{ck}", "--runs", "{out}"], numbers: ["port", "workers"], durations: ["cleanup-every", "max-age"] },
];

/** String options that are not numbers or durations (names, paths, JSON, lists), covered by cases.json. */
const OTHER_OPTIONS = new Set([
  "strategy", "params", "data", "costs", "root", "objective", "period", "sampler", "name", "out", "resume-from", "type", "status", "kind", "operation", "start",
  // costs fetch: the source, template, paths into the answer, pair, headers, units
  "source", "url", "pair", "impact-path", "impact-unit", "gas-path", "header", "reserve-quote-path", "fee-path",
  // optimize --redis / worker: the Redis URL, queue name, local cache folder
  "redis", "queue", "cache",
  // worker --operations: the operations queue name
  "operations-queue",
  // train: the optimizer name
  "optimizer",
  // serve and its clients: addresses, the token file, the runs folder
  "server", "host", "token-file", "runs",
  // user code files (evaluate, optimize)
  "strategy-file", "objective-file",
]);

let L: Lab;
let sandbox: string;
let paths: Record<string, string>;
let goodBefore: Record<string, string>;
let outsideBefore: string[];

const fill = (argv: string[]) => argv.map((a) => a.replace(/\{(\w+)\}/g, (m, k: string) => paths[k] ?? m));

/** Every file under `dir` (relative), recursively. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p.slice(dir.length + 1));
    }
  };
  walk(dir);
  return out.sort();
}

function goodHashes(): Record<string, string> {
  return { ...prefix("lab/", snapshot(L.dir)), ...prefix("run/", snapshot(dirname(dirname(paths.run!)))) };
}
function prefix(p: string, o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [p + k, v]));
}

function expectRefused(label: string, r: CliRun): void {
  const why = `${label}\nexit ${r.code}\nstderr: ${JSON.stringify(r.stderr)}`;
  expect(r.code, why).toBe(2);
  expect(r.stderr.endsWith("\n") && r.stderr.indexOf("\n") === r.stderr.length - 1, why).toBe(true);
  expect(r.stderr.slice(0, -1), why).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e]/);
  expect(r.stderr, why).not.toMatch(/^\s+at /m);
  expect(r.stderr.length, why).toBeLessThanOrEqual(700);
  expect(r.stdout, why).toBe("");
}

beforeAll(async () => {
  L = lab(1500, 9);
  sandbox = mkdtempSync(join(tmpdir(), "stratlab-hostile-"));
  const fx = makeRunDir({ strategies: ["sma_cross"], objectives: ["mar"], trials: 2, days: 30, barMinutes: 60, name: "good" });
  const ck = join(L.dir, "checkpoints");
  const bt = await runCli(["backtest", "--strategy", "sma_cross", "--data", L.data, "--costs", L.costs, "--root", ck, "--stop-after-bars", "500", "--json"]);
  expect(bt.code, bt.stderr).toBe(130);
  const op = JSON.parse(bt.stdout).operation_id as string;

  // Hostile folders, copies of good ones with one value changed.
  const runTraversal = join(sandbox, "runs", "20250101T000000Z-traversal");
  cpSync(fx.dir, runTraversal, { recursive: true });
  const m = JSON.parse(readFileSync(join(runTraversal, "manifest.json"), "utf8"));
  m.args.objectives = ["x/../../../../../stratlab-escaped"];
  m.studies = ["sma_cross|x/../../../../../stratlab-escaped|1y"];
  writeFileSync(join(runTraversal, "manifest.json"), JSON.stringify(m));
  const runHi = join(sandbox, "runs", "20250101T000000Z-hi");
  mkdirSync(runHi, { recursive: true });
  writeFileSync(join(runHi, "manifest.json"), "hi\n");
  const ckIndex = join(sandbox, "ck-index");
  cpSync(ck, ckIndex, { recursive: true });
  const index = JSON.parse(readFileSync(join(ckIndex, "index.json"), "utf8"));
  index.checkpoints[0].artifacts.push({ name: "../../../stratlab-escaped", file: "artifacts/../../../stratlab-escaped", sha256: "0".repeat(64), bytes: 1 });
  writeFileSync(join(ckIndex, "index.json"), JSON.stringify(index));
  const ckOps = join(sandbox, "ck-ops");
  cpSync(ck, ckOps, { recursive: true });
  const ops = JSON.parse(readFileSync(join(ckOps, "operations.json"), "utf8"));
  ops.operations[0].id = "../../../stratlab-escaped\u001b[2J";
  writeFileSync(join(ckOps, "operations.json"), JSON.stringify(ops));
  const huge = join(sandbox, "huge.csv");
  writeFileSync(huge, `timestamp,open,high,low,close,volume\n2023-01-01T00:00:00Z,1,2,0.5,${"9".repeat(50_000)}\u001b${"\u0007".repeat(50_000)},1\n`);
  const file = join(sandbox, "a-file");
  writeFileSync(file, "not a folder\n");
  const dir = join(sandbox, "a-folder");
  mkdirSync(dir);
  const work = join(sandbox, "work", "a", "b");
  mkdirSync(work, { recursive: true });

  paths = { bars: L.data, costs: L.costs, fx: FIXTURES, run: fx.dir, ck, op, runTraversal, runHi, ckIndex, ckOps, huge, file, dir, out: join(sandbox, "out"), escape: "../../../../stratlab-escaped" };
  goodBefore = goodHashes();
  outsideBefore = readdirSync(dirname(sandbox)).sort();
});

afterAll(() => {
  L?.cleanup();
  if (sandbox) rmSync(sandbox, { recursive: true, force: true });
});

describe("hostile inputs", () => {
  it("covers every command but setup", () => {
    const covered = new Set([...corpus.cases.map((c) => c[0]), ...FLAG_MATRIX.map((f) => f.argv[0])]);
    for (const c of COMMANDS) if (c.name !== "setup") expect(covered.has(c.name), c.name).toBe(true);
  });

  it("classifies every string option of every command (a new numeric flag must join FLAG_MATRIX)", () => {
    const numeric = new Set(FLAG_MATRIX.flatMap((f) => [...f.numbers, ...f.durations]));
    for (const c of COMMANDS) {
      for (const [name, spec] of Object.entries(c.options)) {
        if (spec.type === "string") expect(numeric.has(name) || OTHER_OPTIONS.has(name), `${c.name} --${name}: add it to FLAG_MATRIX or OTHER_OPTIONS`).toBe(true);
      }
    }
  });

  it("every argument vector of cases.json, as a real process: exit 2, one clean line", async () => {
    const sandboxBefore = tree(sandbox);
    const queue = corpus.cases.map((c, i) => ({ i, argv: fill(c) }));
    const results: { i: number; argv: string[]; r: CliRun }[] = [];
    const cwd = join(sandbox, "work", "a", "b");
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const r = await runCli(job.argv, { cwd });
        results.push({ ...job, r });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (process.env.STRATLAB_SHOW_CORPUS) for (const { i, r } of results.sort((a, b) => a.i - b.i)) console.log(i, r.stderr.slice(0, 230));
    for (const { i, argv, r } of results.sort((a, b) => a.i - b.i)) expectRefused(`case ${i}: ${JSON.stringify(argv)}`, r);
    expect(tree(sandbox)).toEqual(sandboxBefore);
    expect(readdirSync(dirname(sandbox)).sort()).toEqual(outsideBefore);
    expect(goodHashes()).toEqual(goodBefore);
  });

  it("every numeric and duration flag x values.json, through the CLI's main: exit 2, one clean line", async () => {
    const sandboxBefore = tree(sandbox);
    let runs = 0;
    for (const f of FLAG_MATRIX) {
      for (const [flags, vals] of [[f.numbers, values.numbers], [f.durations, values.durations]] as const) {
        for (const flag of flags) {
          for (const v of vals) {
            const argv = [...fill(f.argv), `--${flag}=${v}`];
            expectRefused(`${JSON.stringify(argv)}`, await mainInProcess(argv));
            runs++;
          }
        }
      }
    }
    expect(runs).toBeGreaterThan(150);
    expect(tree(sandbox)).toEqual(sandboxBefore);
    expect(readdirSync(dirname(sandbox)).sort()).toEqual(outsideBefore);
    expect(goodHashes()).toEqual(goodBefore);
  });

  it("the in-process main answers as the real process does", async () => {
    const argv = fill(["evaluate", "--strategy", "sma_cross", "--trade-size", values.numbers[7]!, "--data", "{bars}"]);
    const inProcess = await mainInProcess(argv);
    const real = await runCli(argv);
    expect(inProcess).toEqual(real);
  });
});

/** The CLI's main in this process, its stdout and stderr captured. */
async function mainInProcess(argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => ((stdout += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((stderr += String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
