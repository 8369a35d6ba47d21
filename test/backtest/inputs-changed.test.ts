/**
 * A resume checks that the data and costs files still hold the bytes the backtest started on
 * (sha256 in the request). A changed file is a clear error naming it; nothing is deleted, no
 * new operation is recorded by the library call, and once the file is restored the resume
 * gives the uninterrupted result (also after a failed CLI attempt).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { backtest, resumeBacktest, type BacktestResult } from "../../lib/backtest";
import { OperationRegistry } from "../../lib/checkpoint";
import { RunError } from "../../lib/errors";
import { expectSameResult, lab, lines, replaceBars, requireDist, runCli, type Lab } from "./fixtures";

const N = 9_000;
let L: Lab;
let uninterrupted: BacktestResult;
const request = () => ({ strategy: "macd", data: L.data, costs: L.costs });

beforeAll(async () => {
  requireDist();
  L = lab(N, 51);
  uninterrupted = (await backtest(request(), { root: `${L.root}-full`, signals: false })).result;
});
afterAll(() => L.cleanup());

async function stopAt(root: string, bar: number): Promise<string> {
  const e = (await backtest(request(), { root, signals: false, stopAfterBars: bar }).catch((x: unknown) => x)) as Error;
  return /operation (bt-\S+) cancelled/.exec(e.message)![1]!;
}

test("data file changed between cancel and resume: a clear error, then resume once restored", async () => {
  const root = `${L.root}-data`;
  const id = await stopAt(root, 5_000);
  const original = readFileSync(L.data);
  replaceBars(L.data, N, 52); // same length, other prices
  try {
    await expectRefused(root, id);
  } finally {
    writeFileSync(L.data, original);
  }
  const r = await resumeBacktest(id, { root, signals: false });
  expectSameResult(r.result, uninterrupted);
});

async function expectRefused(root: string, id: string): Promise<void> {
  const registry = new OperationRegistry({ root });
  const before = registry.list().length;

  const err = await resumeBacktest(id, { root, signals: false }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RunError);
  expect((err as Error).message).toMatch(new RegExp(`^cannot resume backtest ${id}: ${L.data.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} changed since the backtest started \\(sha256 now [0-9a-f]{12}…, recorded [0-9a-f]{12}…\\); restore the original file to resume, or start a new backtest$`));
  expect(registry.list().length).toBe(before);
  expect(registry.checkpoints.list({ operationId: id }).map((c) => [c.type, c.unit])).toEqual([["cancellation", 5_000]]);

  // Through the CLI (the registered resumer): exit 2, one line; the attempt is recorded as failed.
  const cli = await runCli(["operations", "resume", id, "--root", root]);
  expect(cli.code).toBe(2);
  expect(lines(cli.stderr)).toEqual([expect.stringMatching(/^RunError: cannot resume backtest bt-\S+: .*bars\.csv changed since the backtest started/)]);
  const attempt = registry.list().pop()!;
  expect([attempt.status, attempt.resumedFrom]).toEqual(["failed", id]);
  expect(registry.checkpoints.list({ operationId: id })).toHaveLength(1);
}

test("costs file changed: the error names the costs file", async () => {
  const root = `${L.root}-costs`;
  const id = await stopAt(root, 3_000);
  const original = readFileSync(L.costs, "utf8");
  const table = JSON.parse(original) as { gas: number };
  writeFileSync(L.costs, JSON.stringify({ ...table, gas: table.gas + 1 }));
  try {
    await expect(resumeBacktest(id, { root, signals: false })).rejects.toThrow(/costs\.json changed since the backtest started/);
  } finally {
    writeFileSync(L.costs, original);
  }
  expectSameResult((await resumeBacktest(id, { root, signals: false })).result, uninterrupted);
});

test("data file gone: the error names it", async () => {
  const root = `${L.root}-gone`;
  const id = await stopAt(root, 2_000);
  const saved = readFileSync(L.data);
  rmSync(L.data);
  try {
    await expect(resumeBacktest(id, { root, signals: false })).rejects.toThrow(/bars\.csv: cannot read the bars file \(ENOENT\)/);
  } finally {
    writeFileSync(L.data, saved);
  }
});
