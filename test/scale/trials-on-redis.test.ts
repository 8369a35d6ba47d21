/**
 * One study on a Redis job queue (BullMQ): real redis-server, real `stratlab worker`
 * processes, a real coordinator (`stratlab optimize --redis`). Whatever is killed - a
 * worker, the coordinator, Redis itself - the journal ends equal to a local run's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, canonicalTrials, fixture, journalLines, parseJson, requireCli, runCli, runDirNamed, startCli, waitUntil } from "../optimize/cli-fixtures";
import { TestRedis } from "./redis-server";
import { join } from "node:path";
import { DEFAULT_QUEUE, keys, runKey } from "../../lib/scale/keys";
import { readManifest } from "../../lib/optimize/storage";
import { Queue } from "bullmq";
import { connectRedis } from "../../lib/scale/redis";
import { codeHash } from "../../lib/io/code-hash";

const STUDIES = 2;
const TRIALS = 96;
const TOTAL = STUDIES * TRIALS;

function args(data: string, runs: string, name: string, extra: string[] = []): string[] {
  return ["optimize", "--data", data, "--strategy", "sma_cross,rsi_reversion", "--objective", "mar", "--period", "90d", "--trials", String(TRIALS), "--sampler", "tpe", "--seed", "21", "--batch-size", "8", "--out", runs, "--name", name, "--no-report", "--json", ...extra];
}

interface WorkerProc {
  proc: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startWorker(url: string, extra: string[] = []): WorkerProc {
  const proc = spawn(process.execPath, [CLI, "worker", "--redis", url, "--concurrency", "1", "--lock-duration", "1000", "--stalled-interval", "500", "--json", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  let out = "";
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<number | null>((res) => proc.on("exit", (code) => res(code)));
  return { proc, stderr: () => err, stdout: () => out, exited };
}

async function stop(w: WorkerProc): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  w.proc.kill("SIGTERM");
  await w.exited;
}

describe("optimize --redis: trials on a job queue", () => {
  let fx: ReturnType<typeof fixture>;
  let reference: string[];
  let redis: TestRedis;
  const workers: WorkerProc[] = [];

  beforeAll(async () => {
    requireCli();
    // The coordinator says "no worker" after 1 s instead of 10 (inherited by the children).
    process.env.STRATLAB_NO_WORKER_NOTE_MS = "1000";
    fx = fixture(200, 5);
    const r = runCli(args(fx.data, fx.runs, "local"));
    expect(r.code, r.stderr).toBe(0);
    reference = canonicalTrials(String(parseJson(r.stdout).dir));
    expect(reference).toHaveLength(TOTAL);
    redis = await TestRedis.start();
  });

  afterAll(async () => {
    for (const w of workers) await stop(w);
    await redis?.down();
  });

  const evaluatedFor = (dir: string) => {
    const m = readManifest(dir);
    return Number(redis.cli("GET", keys.evaluated(runKey(m.name, m.created))) || 0);
  };

  it("two workers and a coordinator give the local run's journal; the password is never printed", async () => {
    workers.push(startWorker(redis.url), startWorker(redis.url));
    const r = await startCli(args(fx.data, fx.runs, "two-workers", ["--redis", redis.url])).done;
    expect(r.code, r.stderr).toBe(0);
    const dir = String(parseJson(r.stdout).dir);
    expect(canonicalTrials(dir)).toEqual(reference);
    expect(evaluatedFor(dir)).toBe(TOTAL);
    expect(r.stderr + r.stdout + workers.map((w) => w.stderr()).join("")).not.toContain(redis.password);
    expect(r.stderr).toContain("redis://:***@127.0.0.1");
  });

  it("a worker killed mid-study: its jobs go to the other worker, no trial lost or duplicated", async () => {
    const child = startCli(args(fx.data, fx.runs, "worker-killed", ["--redis", redis.url]));
    await waitUntil(() => runDirNamed(fx.runs, "worker-killed") !== null, 30_000);
    const journal = join(runDirNamed(fx.runs, "worker-killed")!, "trials.jsonl");
    await waitUntil(() => journalLines(journal) >= 24 || child.exited(), 60_000, 2);
    workers[0].proc.kill("SIGKILL");
    await workers[0].exited;
    expect(journalLines(journal)).toBeLessThan(TOTAL); // killed mid-study
    const r = await child.done;
    expect(r.code, r.stderr).toBe(0);
    expect(canonicalTrials(String(parseJson(r.stdout).dir))).toEqual(reference);
    workers[0] = startWorker(redis.url);
  });

  it("the coordinator killed, then resumed: trials finished meanwhile come from Redis, none evaluated twice", async () => {
    const child = startCli(args(fx.data, fx.runs, "coordinator-killed", ["--redis", redis.url]));
    await waitUntil(() => runDirNamed(fx.runs, "coordinator-killed") !== null, 30_000);
    const dir = runDirNamed(fx.runs, "coordinator-killed")!;
    await waitUntil(() => journalLines(join(dir, "trials.jsonl")) >= 16 || child.exited(), 60_000, 2);
    child.proc.kill("SIGKILL");
    expect((await child.done).signal).toBe("SIGKILL");
    const before = journalLines(join(dir, "trials.jsonl"));
    expect(before).toBeLessThan(TOTAL);
    // The workers finish the jobs in hand with nobody listening.
    await new Promise((r) => setTimeout(r, 500));
    const m = readManifest(dir);
    const inRedis = Number(redis.cli("HLEN", keys.results(runKey(m.name, m.created))));
    expect(inRedis).toBeGreaterThanOrEqual(before);
    const r = await startCli(["optimize", "--resume-from", dir, "--redis", redis.url, "--no-report", "--json"]).done;
    expect(r.code, r.stderr).toBe(0);
    expect(canonicalTrials(dir)).toEqual(reference);
    expect(evaluatedFor(dir)).toBe(TOTAL);
  });

  it("Redis restarted mid-study (emptied): coordinator and workers reconnect and the study completes", async () => {
    // One trial per job: most jobs wait in Redis (not in a worker's hands) when it goes.
    const child = startCli(args(fx.data, fx.runs, "redis-restarted", ["--redis", redis.url, "--trials-per-job", "1"]));
    await waitUntil(() => runDirNamed(fx.runs, "redis-restarted") !== null, 30_000);
    const journal = join(runDirNamed(fx.runs, "redis-restarted")!, "trials.jsonl");
    await waitUntil(() => journalLines(journal) >= 16 || child.exited(), 60_000, 2);
    // Workers frozen first, so jobs are still waiting in Redis (not all in a worker's hands)
    // when it goes; they wake up to an empty Redis and must reconnect.
    for (const w of workers) w.proc.kill("SIGSTOP");
    // The coordinator may be between batches (proposing): wait for its next jobs to be queued.
    await waitUntil(() => Number(redis.cli("LLEN", `bull:${DEFAULT_QUEUE}:wait`)) > 0, 30_000);
    expect(journalLines(journal)).toBeLessThan(TOTAL);
    await redis.down();
    await new Promise((r) => setTimeout(r, 300));
    await redis.up();
    for (const w of workers) w.proc.kill("SIGCONT");
    const r = await child.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr, r.stderr).toMatch(/re-queued \d+ job/);
    expect(canonicalTrials(String(parseJson(r.stdout).dir))).toEqual(reference);
  });

  it("a worker refuses a job made by another stratlab version, and a run on other data than its --data: one line, exit 2", async () => {
    // A job as a coordinator of another version would enqueue it.
    const conn = connectRedis(redis.url);
    const q = new Queue("stratlab-refusals", { connection: conn });
    const w = startWorker(redis.url, ["--queue", "stratlab-refusals"]);
    await waitUntil(() => w.stderr().includes("ready"), 30_000);
    await q.add("evaluate", { v: 1, run: "r1", data_sha256: "0".repeat(64), costs_sha256: "0".repeat(64), code_hash: "f".repeat(64), tasks: [] }, { jobId: "r1|x|0-0" });
    expect(await w.exited).toBe(2);
    const lines = w.stderr().trim().split("\n");
    expect(lines.at(-1)).toMatch(/^RunError: refused: run r1 was made with stratlab code ffffffffffff, this worker runs [0-9a-f]{12}; install/);
    await q.obliterate({ force: true });

    // --data of other content than the run's: refused before evaluating anything.
    const other = fixture(30, 9);
    const w3 = startWorker(redis.url, ["--data", other.data, "--queue", "stratlab-refusals"]);
    await waitUntil(() => w3.stderr().includes("ready"), 30_000);
    await q.add("evaluate", { v: 1, run: "r2", data_sha256: "a".repeat(64), costs_sha256: "0".repeat(64), code_hash: codeHash(), tasks: [] }, { jobId: "r2|x|0-0" });
    expect(await w3.exited).toBe(2);
    expect(w3.stderr().trim().split("\n").at(-1)).toMatch(/^RunError: refused: this worker's --data .*bars\.csv has sha256 [0-9a-f]{12}, run r2 uses aaaaaaaaaaaa; give the run's file or leave out --data$/);
    await q.obliterate({ force: true });
    await q.close();
    conn.disconnect();
  });

  it("with no worker the coordinator says so and waits; a worker that comes later finishes the study", async () => {
    for (const w of workers.splice(0)) await stop(w);
    const child = startCli(args(fx.data, fx.runs, "late-worker", ["--redis", redis.url]));
    await waitUntil(() => child.stderrText().includes("no worker is connected") || child.exited(), 60_000);
    expect(child.stderrText()).toMatch(/no worker is connected to the queue "stratlab-trials" at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+; waiting/);
    workers.push(startWorker(redis.url));
    const r = await child.done;
    expect(r.code, r.stderr).toBe(0);
    expect(canonicalTrials(String(parseJson(r.stdout).dir))).toEqual(reference);
    // A worker stopped with SIGTERM finishes and prints its document (docs/schemas/worker.schema.json).
    const w = workers[workers.length - 1]!;
    await stop(w);
    expect(await w.exited).toBe(0);
    expect(JSON.parse(w.stdout().trim())).toEqual({ schema_version: 1, status: "stopped", evaluated: TOTAL });
  });

  it("an unreachable Redis or a bad URL: one line, exit 2", () => {
    const dead = runCli(args(fx.data, fx.runs, "dead", ["--redis", "redis://:secret@127.0.0.1:1"]));
    expect(dead.code).toBe(2);
    expect(dead.stderr.trim().split("\n").at(-1)).toMatch(/^UsageError: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(.*\); start redis-server/);
    expect(dead.stderr).not.toContain("secret");
    const bad = runCli(args(fx.data, fx.runs, "bad", ["--redis", "http://x"]));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("UsageError: --redis must start with redis:// or rediss:// (got http://)");
    const w = runCli(["worker", "--redis", "redis://127.0.0.1:1"]);
    expect(w.code).toBe(2);
    expect(w.stderr.trim().split("\n")).toHaveLength(1);
  });
});
