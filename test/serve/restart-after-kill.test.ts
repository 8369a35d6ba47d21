/**
 * Restart safety: `stratlab serve` killed with kill -9 mid-operation. Its worker process
 * notices the server is gone, saves a checkpoint and stops; after a restart the operation
 * shows `interrupted` with that checkpoint and resumes from it to the result of an
 * uninterrupted run. An operation still queued at the kill runs after the restart, once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { backtest } from "../../lib/backtest";
import { isProcessAlive, OperationRegistry } from "../../lib/checkpoint";
import { statusOf } from "../../lib/serve";
import { CLI } from "../cli/run-cli";
import { backtestBody, ended, http, serveLab, waitFor, type Op, type ServeLab } from "./fixtures";

let L: ServeLab;
let reference: unknown;
const servers: ChildProcess[] = [];

/** Starts `stratlab serve` on a free loopback port; resolves with its URL once it listens. */
function startServer(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [CLI, "serve", "--port", "0", "--workers", "1", "--root", L.root, "--runs", L.runs], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, STRATLAB_SERVE_PACE_MS: "1" } });
  servers.push(proc);
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${err}`)), 20_000);
    proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]! });
      }
    });
    proc.on("exit", (code) => reject(new Error(`the server exited (${code}): ${err}`)));
  });
}

beforeAll(async () => {
  L = serveLab();
  const r = await backtest({ strategy: "ema_cross", params: { fast: 12, slow: 48 }, data: L.data, costs: L.costs }, { root: join(L.dir, "reference"), signals: false });
  reference = JSON.parse(JSON.stringify(r.result));
});
afterAll(async () => {
  for (const p of servers) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  L?.cleanup();
});

test("kill -9 of the server mid-operation: interrupted with its last checkpoint after a restart, resumed to the uninterrupted result; the queued one runs once", async () => {
  const first = await startServer();
  const a = (await http<Op>(first.url, "POST", "/operations", backtestBody(L))).body;
  const b = (await http<Op>(first.url, "POST", "/operations", backtestBody(L))).body;
  expect((await http<Op>(first.url, "GET", `/operations/${b.id}`)).body.status).toBe("queued");
  const running = await waitFor(first.url, a.id, (o) => o.status === "running" && (o.latest_checkpoint?.unit ?? 0) >= 1000);
  const workerPid = running.pid!;
  const exited = new Promise((r) => first.proc.once("exit", r));
  first.proc.kill("SIGKILL");
  await exited;

  const second = await startServer();
  const interrupted = await waitFor(second.url, a.id, ended);
  expect(interrupted.status).toBe("interrupted");
  expect(interrupted.latest_checkpoint!.unit).toBeGreaterThanOrEqual(running.latest_checkpoint!.unit);
  expect(interrupted.latest_checkpoint!.unit).toBeLessThan(3456);
  // The worker recorded its outcome, then exits: no process is left running the operation.
  for (let i = 0; i < 50 && isProcessAlive(workerPid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(isProcessAlive(workerPid)).toBe(false);

  // The operation queued at the kill runs after the restart, from the queue file.
  const bDone = await waitFor(second.url, b.id, ended, 40_000);
  expect(bDone.status).toBe("completed");
  expect(bDone.result).toEqual(reference);

  const resumed = await http<Op>(second.url, "POST", `/operations/${a.id}/resume`);
  expect(resumed.status).toBe(202);
  const done = await waitFor(second.url, resumed.body.id, ended, 40_000);
  expect(done.status).toBe("completed");
  expect(done.result).toEqual(reference);

  // Nothing lost, nothing run twice: exactly these three operations.
  const all = (await http<{ operations: Op[] }>(second.url, "GET", "/operations")).body.operations;
  expect(all.map((o) => [o.id, o.status]).sort()).toEqual([[a.id, "interrupted"], [b.id, "completed"], [resumed.body.id, "completed"]].sort());

  // A clean stop (SIGTERM, Ctrl-C) leaves a running operation interrupted at a checkpoint too.
  const c = (await http<Op>(second.url, "POST", "/operations", backtestBody(L))).body;
  await waitFor(second.url, c.id, (o) => o.status === "running" && o.latest_checkpoint !== null);
  const stopped = new Promise((r) => second.proc.once("exit", r));
  second.proc.kill("SIGTERM");
  expect(await stopped).toBe(0);
  const record = new OperationRegistry({ root: L.root }).get(c.id);
  expect(statusOf(record)).toBe("interrupted");
  expect(new OperationRegistry({ root: L.root }).checkpoints.latest(c.id)?.type).toBe("cancellation");
});
