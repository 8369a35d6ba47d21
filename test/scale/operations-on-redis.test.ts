/**
 * `stratlab serve --redis URL`: operations on remote `stratlab worker --operations` processes
 * through a real redis-server, over real HTTP, on a checkpoint root both share. Start with
 * progress on the events stream, cancel, and a worker killed (kill -9) mid-operation: BullMQ
 * hands the job to the other worker, which resumes from the last checkpoint to the result of
 * an uninterrupted run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { backtest } from "../../lib/backtest";
import { isProcessAlive } from "../../lib/checkpoint";
import { QueueRunner } from "../../lib/scale/operation-runner";
import { startService, type RunningService } from "../../lib/serve";
import { CLI } from "../cli/run-cli";
import { runCli } from "../optimize/cli-fixtures";
import { backtestBody, ended, http, serveLab, waitFor, type Op, type ServeLab } from "../serve/fixtures";
import { TestRedis } from "./redis-server";

let L: ServeLab;
let redis: TestRedis;
let server: RunningService;
let reference: unknown;
const workers: { proc: ChildProcess; stderr: () => string; exited: Promise<number | null> }[] = [];

function startWorker(url: string) {
  const proc = spawn(process.execPath, [CLI, "worker", "--redis", url, "--concurrency", "1", "--operations", "--lock-duration", "1000", "--stalled-interval", "500", "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, STRATLAB_SERVE_PACE_MS: "1" },
  });
  let err = "";
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  proc.stdout!.resume();
  const exited = new Promise<number | null>((res) => proc.on("exit", (code) => res(code)));
  const w = { proc, stderr: () => err, exited };
  workers.push(w);
  return w;
}

async function ready(w: { stderr: () => string }): Promise<void> {
  for (let i = 0; i < 200 && !/operation worker .* ready/.test(w.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(w.stderr()).toMatch(/operation worker .* ready/);
}

/** The parent of a process (Linux /proc): the `stratlab worker` running an operation process. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** A process's state letter (Z: exited, waiting for a parent that reaps orphans). */
function procState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]!;
  } catch {
    return "gone";
  }
}

async function events(url: string, id: string): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await (await fetch(`${url}/operations/${id}/events`)).text();
  return text
    .split("\n\n")
    .filter((b) => b.startsWith("event: "))
    .map((b) => ({ event: /^event: (.*)$/m.exec(b)![1]!, data: JSON.parse(/^data: (.*)$/m.exec(b)![1]!) as Record<string, unknown> }));
}

beforeAll(async () => {
  L = serveLab();
  redis = await TestRedis.start();
  const r = await backtest({ strategy: "ema_cross", params: { fast: 12, slow: 48 }, data: L.data, costs: L.costs }, { root: join(L.dir, "reference"), signals: false });
  reference = JSON.parse(JSON.stringify(r.result));
  await Promise.all([startWorker(redis.url), startWorker(redis.url)].map(ready));
  server = await startService({ host: "127.0.0.1", port: 0, root: L.root, runs: L.runs, runner: await QueueRunner.connect(redis.url) });
}, 60_000);

afterAll(async () => {
  await server?.close();
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
  await redis?.down();
  L?.cleanup();
});

test("an operation runs on a remote worker: progress relayed to the events stream, the uninterrupted result", async () => {
  const r = await http<Op>(server.url, "POST", "/operations", backtestBody(L));
  expect(r.status).toBe(202);
  expect(r.body.status).toBe("queued");
  const streamed = events(server.url, r.body.id);
  // It runs in a process of one of the workers, not of the server.
  const running = await waitFor(server.url, r.body.id, (o) => o.status === "running" && o.pid !== null);
  expect(workers.map((w) => w.proc.pid)).toContain(parentOf(running.pid!));
  const stream = await streamed;
  const progress = stream.filter((e) => e.event === "progress").map((e) => e.data.unit as number);
  expect(progress.length).toBeGreaterThan(3);
  expect(stream.filter((e) => e.event === "checkpoint").map((e) => (e.data.checkpoint as { kind: string }).kind)).toContain("periodic");
  expect(stream.at(-1)!.event).toBe("end");
  const done = await waitFor(server.url, r.body.id, ended);
  expect(done.status).toBe("completed");
  expect(done.result).toEqual(reference);
}, 60_000);

test("cancel over HTTP reaches the remote operation: cancelled at a cancellation checkpoint", async () => {
  const r = (await http<Op>(server.url, "POST", "/operations", backtestBody(L))).body;
  await waitFor(server.url, r.id, (o) => o.status === "running" && o.latest_checkpoint !== null);
  expect((await http<Op>(server.url, "POST", `/operations/${r.id}/cancel`)).status).toBe(202);
  const done = await waitFor(server.url, r.id, ended);
  expect(done.status).toBe("cancelled");
  expect(done.latest_checkpoint!.kind).toBe("cancellation");
  expect(done.latest_checkpoint!.unit).toBeLessThan(3456);
}, 60_000);

test("a worker killed (kill -9) mid-operation: the other worker resumes it from its last checkpoint to the uninterrupted result", async () => {
  const r = (await http<Op>(server.url, "POST", "/operations", backtestBody(L))).body;
  const running = await waitFor(server.url, r.id, (o) => o.status === "running" && (o.latest_checkpoint?.unit ?? 0) >= 1000 && o.pid !== null);
  const victim = workers.find((w) => w.proc.pid === parentOf(running.pid!))!;
  expect(victim).toBeDefined();
  victim.proc.kill("SIGKILL");
  await victim.exited;
  const interrupted = await waitFor(server.url, r.id, (o) => ended(o) && o.resumed_by !== null, 30_000);
  expect(interrupted.status).toBe("interrupted");
  const done = await waitFor(server.url, interrupted.resumed_by!, ended, 40_000);
  expect(done.status).toBe("completed");
  expect(done.resumed_from).toBe(r.id);
  expect(done.result).toEqual(reference);
  // The resume took the interrupted operation's checkpoint over (deleted once it completed).
  expect((await waitFor(server.url, r.id, () => true)).latest_checkpoint).toBeNull();
  const survivor = workers.find((w) => w !== victim)!;
  expect(survivor.stderr()).toMatch(/handed over by a worker that stopped: continuing .* from its last checkpoint/);
  // The killed worker's operation process saved its checkpoint and stopped: nothing left behind.
  const gone = () => !isProcessAlive(running.pid!) || procState(running.pid!) === "Z";
  for (let i = 0; i < 50 && !gone(); i++) await new Promise((res) => setTimeout(res, 100));
  expect(gone()).toBe(true);
}, 90_000);

test("an optimisation runs on a remote worker too: its run folder on the shared root", async () => {
  const r = await http<Op>(server.url, "POST", "/operations", { type: "optimisation", strategy: "sma_cross", period: "all", trials: 8, batch_size: 4, max_workers: 1, data: L.data, costs: L.costs });
  expect(r.status).toBe(202);
  const done = await waitFor(server.url, r.body.id, ended, 60_000);
  expect(done.status, done.error ?? "").toBe("completed");
  expect(done.progress).toMatchObject({ unit: 8, total: 8 });
  expect(readFileSync(join(L.runs, done.run!, "trials.jsonl"), "utf8").trim().split("\n").length).toBeGreaterThanOrEqual(8);
}, 60_000);

test("the server stopped mid-operation: the operation goes on on its worker; a new server on the shared root shows it to its end", async () => {
  const r = (await http<Op>(server.url, "POST", "/operations", backtestBody(L))).body;
  await waitFor(server.url, r.id, (o) => o.status === "running" && o.latest_checkpoint !== null);
  await server.close();
  server = await startService({ host: "127.0.0.1", port: 0, root: L.root, runs: L.runs, runner: await QueueRunner.connect(redis.url) });
  // Recorded by its worker: not submitted again.
  expect(server.recovered.resubmitted).toEqual([]);
  const done = await waitFor(server.url, r.id, ended, 40_000);
  expect(done.status).toBe("completed");
  expect(done.result).toEqual(reference);
}, 60_000);

test("a worker that does not see the server's checkpoint root refuses the operation: it fails on the server, recorded nowhere else", async () => {
  const runner = await QueueRunner.connect(redis.url);
  try {
    const root = join(L.dir, "not-shared");
    const exit = await new Promise<number | null>((resolve) =>
      runner.submit({ id: "bt-20261128-000000-0bad", type: "backtest", kind: "start", request: backtestBody(L), root, runs: join(L.dir, "runs-not-shared") }, { onMessage: () => undefined, onExit: (code) => resolve(code) }),
    );
    expect(exit).toBe(2);
    expect(existsSync(root)).toBe(false);
    expect(workers.some((w) => /refused operation bt-20261128-000000-0bad: its checkpoint root .* is not the server's here/.test(w.stderr()))).toBe(true);
  } finally {
    await runner.close();
  }
}, 30_000);

test("serve --redis and worker --operations refuse in one line: unreachable Redis, flags without their pair", () => {
  const dead = runCli(["serve", "--port", "0", "--root", L.root, "--runs", L.runs, "--redis", "redis://:secret@127.0.0.1:1"]);
  expect(dead.code).toBe(2);
  expect(dead.stderr.trim()).toMatch(/^UsageError: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(.*\); start redis-server/);
  expect(dead.stderr).not.toContain("secret");
  const queue = runCli(["serve", "--port", "0", "--queue", "x"]);
  expect([queue.code, queue.stderr.trim()]).toEqual([2, "UsageError: --queue names the operations queue of --redis; give --redis too"]);
  const ops = runCli(["worker", "--redis", redis.url, "--operations-queue", "x"]);
  expect([ops.code, ops.stderr.trim()]).toEqual([2, "UsageError: --operations-queue needs --operations"]);
});
