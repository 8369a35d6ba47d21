/**
 * The CLI, in real processes: `backtest --stop-after-bars 5000` exits 130 with one line naming
 * the operation and the resume command; `operations resume ID --json` in a new process prints
 * the same result as an uninterrupted `backtest --json`. Bad input exits 2 with one line and
 * records no operation.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { lab, lines, requireDist, runCli, type Lab } from "./fixtures";

let L: Lab;
beforeAll(() => {
  requireDist();
  L = lab(12_000, 31);
});
afterAll(() => L.cleanup());

const args = () => ["backtest", "--data", L.data, "--costs", L.costs, "--strategy", "rsi_reversion+regime", "--params", '{"period":14,"lower":30,"upper":70}', "--trade-size", "5000", "--equity-every", "50"];

test("stop at bar 5,000, resume in a new process: the same JSON as an uninterrupted backtest --json", async () => {
  const root = join(L.dir, "ck");
  const full = await runCli([...args(), "--root", join(L.dir, "ck-full"), "--json"]);
  expect(full.code, full.stderr).toBe(0);
  const expected = JSON.parse(full.stdout) as { result: Record<string, unknown>; operation: { status: string } };
  expect(expected.operation.status).toBe("completed");
  expect((expected.result.metrics as { swaps: number }).swaps).toBeGreaterThan(0);

  const stopped = await runCli([...args(), "--root", root, "--stop-after-bars", "5000", "--json"]);
  expect(stopped.code).toBe(130);
  const [line, ...more] = lines(stopped.stderr);
  expect(more).toEqual([]);
  const m = /^CancelledError: operation (bt-\S+) cancelled \(stopped after 5000 bars as asked\) at unit 5000; saved checkpoint ck-\S+; resume with: stratlab operations resume (bt-\S+) --root (\S+)$/.exec(line!);
  expect(m, line).not.toBeNull();
  const [, id, idAgain, rootInMessage] = m!;
  expect(idAgain).toBe(id);
  expect(rootInMessage).toBe(root);
  expect(JSON.parse(stopped.stdout)).toMatchObject({ schema_version: 1, status: "cancelled", operation_id: id, bar: 5000, message: line });

  const list = await runCli(["checkpoints", "list", "--root", root, "--operation", id!, "--json"]);
  expect((JSON.parse(list.stdout) as { checkpoints: { type: string; unit: number }[] }).checkpoints.map((c) => [c.type, c.unit])).toEqual([["cancellation", 5000]]);

  const resumed = await runCli(["operations", "resume", id!, "--root", root, "--json"]);
  expect(resumed.code, resumed.stderr).toBe(0);
  const doc = JSON.parse(resumed.stdout) as { result: unknown; operation: { status: string; resumed_from: string }; checkpoint: { unit: number } };
  expect(doc.operation.status).toBe("completed");
  expect(doc.operation.resumed_from).toBe(id);
  expect(doc.checkpoint.unit).toBe(5000);
  expect(doc.result).toEqual(expected.result);
  // Same bytes, not only the same values.
  expect(JSON.stringify(doc.result)).toBe(JSON.stringify(expected.result));
});

test("without --json: a metrics table and the operation on stdout", async () => {
  const r = await runCli([...args(), "--root", join(L.dir, "ck-text")]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/rsi_reversion\+regime .* @ trade size 5000: 12000 bars/);
  expect(r.stdout).toMatch(/^sharpe\s/m);
  expect(r.stdout).toMatch(/operation bt-\S+ completed; result kept as checkpoint ck-/);
});

describe("bad input: exit 2, one line, no operation recorded", () => {
  const cases: [string, (a: string[]) => string[], RegExp][] = [
    ["unknown strategy", (a) => a.map((x) => (x === "rsi_reversion+regime" ? "nope_cross" : x)), /^ParamError: unknown strategy "nope_cross"; available: /],
    ["bad params JSON", (a) => a.map((x) => (x.startsWith('{"period"') ? "{period:14" : x)), /^UsageError: --params is not valid JSON/],
    ["a parameter out of bounds", (a) => a.map((x) => (x.startsWith('{"period"') ? '{"period":-3}' : x)), /^ParamError: rsi_reversion\+regime\.period = -3 is out of bounds/],
    ["missing data file", (a) => a.map((x) => (x === L.data ? join(L.dir, "missing.csv") : x)), /^DataError: .*missing\.csv: cannot read the bars file \(ENOENT\)/],
    ["bad --stop-after-bars", (a) => [...a, "--stop-after-bars", "soon"], /^UsageError: --stop-after-bars "soon" must be an integer >= 1 and <= 1000000000\n$/],
    ["unknown option", (a) => [...a, "--bars", "3"], /^UsageError: Unknown option '--bars'/],
  ];
  test.each(cases)("%s", async (_name, edit, message) => {
    const root = join(L.dir, `ck-bad-${_name.replace(/\W+/g, "-")}`);
    const r = await runCli([...edit(args()), "--root", root]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
    expect(existsSync(join(root, "operations.json"))).toBe(false);
  });
});
