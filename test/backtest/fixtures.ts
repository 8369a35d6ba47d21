/** Temp folders with generated bars and a cost table, result comparison, and real CLI processes. */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import type { BacktestResult } from "../../lib/backtest";
import { writeBarsCsv } from "../../lib/data/csv";
import { generateBars } from "../../lib/data/generate";
import type { EvalResult } from "../../lib/engine/metrics";
import { PERIOD_KEYS } from "../../lib/engine/periods";
import { DEFAULT_COSTS } from "../../lib/paths";

import { CLI } from "../cli/run-cli";

export { CLI, runCli, type CliRun } from "../cli/run-cli";
export const DIST_BACKTEST = resolve(__dirname, "../../dist/lib/backtest/index.js");
export const DIST_ERRORS = resolve(__dirname, "../../dist/lib/errors.js");

export function requireDist(): void {
  if (!existsSync(CLI) || !existsSync(DIST_BACKTEST)) throw new Error(`${DIST_BACKTEST} is missing: build first (npx tsc -p .)`);
}

export interface Lab {
  dir: string;
  data: string;
  costs: string;
  root: string;
  cleanup(): void;
}

/** A temp folder with `bars` generated 5-minute bars (seeded), a copy of the cost table and a checkpoint root. */
export function lab(bars: number, seed = 11): Lab {
  const dir = mkdtempSync(join(tmpdir(), "stratlab-bt-"));
  const data = join(dir, "bars.csv");
  writeBarsCsv(generateBars({ days: bars / 288, seed }), data);
  const costs = join(dir, "costs.json");
  copyFileSync(DEFAULT_COSTS, costs);
  return { dir, data, costs, root: join(dir, "checkpoints"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Rewrites a bars file with other bars of the same length. */
export function replaceBars(path: string, bars: number, seed: number): void {
  writeBarsCsv(generateBars({ days: bars / 288, seed }), path);
}

/** Every metric of every period bit for bit (Object.is), then everything else deeply. */
export function expectSameResult(actual: BacktestResult, expected: BacktestResult): void {
  expectSameMetrics(actual, expected);
  expect(actual.fills).toEqual(expected.fills);
  expect(actual.round_trips).toEqual(expected.round_trips);
  expect(actual.equity_samples).toEqual(expected.equity_samples);
  expect(actual).toEqual(expected);
}

/** Metrics and flags of a backtest against the fast evaluator's, bit for bit. */
export function expectSameMetrics(actual: Pick<EvalResult, "periods" | "ruined" | "over_max_bucket" | "aborted" | "bars_evaluated" | "trade_size">, expected: Pick<EvalResult, "periods" | "ruined" | "over_max_bucket" | "aborted" | "bars_evaluated" | "trade_size">, label = ""): void {
  const differ: string[] = [];
  for (const p of PERIOD_KEYS) {
    const a = actual.periods[p] as unknown as Record<string, number>;
    const e = expected.periods[p] as unknown as Record<string, number>;
    expect(Object.keys(a).sort()).toEqual(Object.keys(e).sort());
    for (const k of Object.keys(e)) if (!Object.is(a[k], e[k])) differ.push(`${p}.${k}: ${a[k]} vs ${e[k]}`);
  }
  expect(differ, `${label} metrics differ`).toEqual([]);
  expect([actual.ruined, actual.over_max_bucket, actual.aborted, actual.bars_evaluated, actual.trade_size]).toEqual([expected.ruined, expected.over_max_bucket, expected.aborted, expected.bars_evaluated, expected.trade_size]);
}


/** Non-empty stderr lines. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** A plain CommonJS child script requiring the compiled backtest module as `bt`. */
export function childScript(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `"use strict";\nconst bt = require(${JSON.stringify(DIST_BACKTEST)});\nconst errors = require(${JSON.stringify(DIST_ERRORS)});\n` +
      `const say = (o) => process.stdout.write(JSON.stringify(o) + "\\n");\n` +
      `const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);\n` +
      `(async () => {\n${body}\n})().catch((e) => { say({ error: e.message, name: e.name }); process.exitCode = e instanceof errors.StratlabError ? e.exitCode : 1; });\n`,
  );
  return file;
}
