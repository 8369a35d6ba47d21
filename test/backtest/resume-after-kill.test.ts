/**
 * Real processes stopped mid-run. SIGKILL after a periodic checkpoint: the operation is seen
 * as failed (dead pid) and `operations resume` continues from that checkpoint to the same
 * result. SIGINT (Ctrl-C, a notebook interrupt): the loop yields to the event loop, the
 * signal cancels the token, a cancellation checkpoint is saved and the process exits 130.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { backtest, resumeBacktest, type BacktestResult } from "../../lib/backtest";
import { OperationRegistry } from "../../lib/checkpoint";
import { jsonReplacer } from "../../lib/cli/json-output";
import { childScript, expectSameResult, lab, requireDist, runCli, type Lab } from "./fixtures";

const N = 17_280; // 60 days
let L: Lab;
let uninterrupted: BacktestResult;
const request = () => ({ strategy: "ema_cross", data: L.data, costs: L.costs, checkpoint: { everyUnits: 5_000 } });

beforeAll(async () => {
  requireDist();
  L = lab(N, 41);
  uninterrupted = (await backtest(request(), { root: `${L.root}-full`, signals: false })).result;
});
afterAll(() => L.cleanup());

/** Starts `script` and resolves with its first stdout line (parsed) and the process. */
function start(script: string): Promise<{ proc: ChildProcess; first: Record<string, unknown>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; out: () => string }> {
  const proc = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.on("exit", (code, signal) => res({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line from the child; stderr: ${err}`)), 60_000);
    proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    proc.stdout!.on("data", (d: Buffer) => {
      const before = out;
      out += d.toString();
      if (!before.includes("\n") && out.includes("\n")) {
        clearTimeout(timer);
        resolve({ proc, first: JSON.parse(out.slice(0, out.indexOf("\n"))) as Record<string, unknown>, exited, out: () => out });
      }
    });
    void exited.then(() => setTimeout(() => reject(new Error(`child exited without a line; stderr: ${err}`)), 100));
  });
}

test("SIGKILL after a periodic checkpoint, then operations resume: the same result", async () => {
  const root = `${L.root}-kill`;
  // After its first periodic checkpoint the child says so and then hangs (still mid-run) until killed.
  const script = childScript(
    L.dir,
    "kill-me.js",
    `let said = false;
     await bt.backtest(${JSON.stringify(request())}, { root: ${JSON.stringify(root)}, onProgress: (e) => {
       if (e.kind === "checkpoint" && !said) { said = true; say({ operation: e.operationId, unit: e.unit }); sleep(120000); }
     } });
     say({ finished: true });`,
  );
  const child = await start(script);
  expect(child.first.unit).toBe(5_000);
  const id = child.first.operation as string;
  child.proc.kill("SIGKILL");
  expect((await child.exited).signal).toBe("SIGKILL");
  expect(child.out()).not.toMatch(/finished/);

  const registry = new OperationRegistry({ root });
  expect(registry.get(id).status).toBe("failed");
  expect(registry.get(id).error).toMatch(/ended without recording an outcome/);
  expect(registry.checkpoints.list({ operationId: id }).map((c) => [c.type, c.unit])).toEqual([["periodic", 5_000]]);

  const r = await runCli(["operations", "resume", id, "--root", root, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as { result: BacktestResult; checkpoint: { unit: number } };
  expect(doc.checkpoint.unit).toBe(5_000);
  // The CLI prints the library result with snake_case keys (lib/cli/json-output.ts).
  expect(doc.result).toEqual(JSON.parse(JSON.stringify(uninterrupted, jsonReplacer)));
});

test("SIGINT mid-run: a cancellation checkpoint, exit 130, and resume gives the same result", async () => {
  const root = `${L.root}-int`;
  // Slowed down after its first checkpoint (1 ms per progress event) so the signal lands mid-run.
  const script = childScript(
    L.dir,
    "interrupt-me.js",
    `let said = false;
     await bt.backtest(${JSON.stringify(request())}, { root: ${JSON.stringify(root)}, progressEveryMs: 0, onProgress: (e) => {
       if (e.kind === "checkpoint" && !said) { said = true; say({ operation: e.operationId, unit: e.unit }); }
       if (said) sleep(1);
     } });
     say({ finished: true });`,
  );
  const child = await start(script);
  const id = child.first.operation as string;
  child.proc.kill("SIGINT");
  const exit = await child.exited;
  expect(exit.code).toBe(130);
  const last = JSON.parse(child.out().trim().split("\n").pop()!) as { name: string; error: string };
  expect(last.name).toBe("CancelledError");
  expect(last.error).toMatch(/received SIGINT.*saved checkpoint ck-\S+; resume with: stratlab operations resume/);

  const registry = new OperationRegistry({ root });
  expect(registry.get(id).status).toBe("cancelled");
  const latest = registry.checkpoints.latest(id)!;
  expect(latest.type).toBe("cancellation");
  expect(latest.unit).toBeGreaterThan(5_000);
  expect(latest.unit).toBeLessThan(N);
  expectSameResult((await resumeBacktest(id, { root, signals: false })).result, uninterrupted);
});
