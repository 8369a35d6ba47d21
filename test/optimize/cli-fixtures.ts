/**
 * Real `stratlab optimize` processes on a small generated data set, for the tests that are
 * about processes: kill -9 and resume, Ctrl-C, two processes on one run, worker counts.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateBars } from "../../lib/data/generate";
import { writeBarsCsv } from "../../lib/data/csv";

export const CLI = join(__dirname, "../../dist/lib/cli/main.js");
export const COSTS = join(__dirname, "../../data/swap_cost_cache.json");

export function requireCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does it in pretest)`);
}

/** A temp folder with `days` of generated 5-minute bars. */
export function fixture(days = 120, seed = 3): { dir: string; data: string; runs: string } {
  const dir = mkdtempSync(join(tmpdir(), "stratlab-opt-"));
  const data = join(dir, "bars.csv");
  writeBarsCsv(generateBars({ days, seed }), data);
  return { dir, data, runs: join(dir, "runs") };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 240_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface RunningCli {
  proc: ChildProcess;
  done: Promise<CliResult>;
  stderrText: () => string;
  exited: () => boolean;
}

export function startCli(args: string[]): RunningCli {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let exited = false;
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    proc.on("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { proc, done, stderrText: () => stderr, exited: () => exited };
}

/** Complete lines in a journal (0 when it does not exist yet). */
export function journalLines(file: string): number {
  if (!existsSync(file) || statSync(file).size === 0) return 0;
  const text = readFileSync(file, "utf8");
  return text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length - 1;
}

export async function waitUntil(pred: () => boolean, timeoutMs = 60_000, everyMs = 5): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error("timed out waiting for a condition");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Trials without times and worker index: what must be identical across runs. */
export function canonicalTrials(runDir: string): string[] {
  const text = readFileSync(join(runDir, "trials.jsonl"), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const t = JSON.parse(l);
      return JSON.stringify({ study: t.study, id: t.id, params: t.params, value: t.value, state: t.state, results: t.results });
    })
    .sort();
}

export function parseJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/** The run directory named `name` under `runs` (its folder is "<UTC stamp>-<name>"), or null. */
export function runDirNamed(runs: string, name: string): string | null {
  if (!existsSync(runs)) return null;
  const hit = readdirSync(runs).find((d) => d.endsWith(`-${name}`));
  return hit === undefined ? null : join(runs, hit);
}
