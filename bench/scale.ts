/**
 * Scale-out (issue 15): the cost of evaluating through the Redis job queue instead of the
 * local pool, on this machine, sma_cross on the default data.
 *
 * A redis-server is started on a free loopback port (random password, no persistence) and
 * `stratlab worker` processes (compiled CLI) take the jobs. The same pre-drawn tasks go,
 * batch by batch in turns, to:
 *  - local-1: a 1-thread EvaluatorPool in this process;
 *  - queue-1: the queue with one worker process of 1 thread;
 * and, with two studies' batches in flight at once (as two studies of a run are):
 *  - local-2: a 2-thread EvaluatorPool;
 *  - queue-2: the queue with two worker processes of 1 thread each.
 * Per-trial overhead = (queue-1 wall - local-1 wall) / tasks, split in two with the
 * evaluation time the worker reports per job (EvaluationJobResult.eval_ms):
 *  - the queue's own cost = (queue-1 wall - worker evaluation ms) / tasks: adding the job,
 *    the worker taking it, writing results, the completion event, reading them back;
 *  - the evaluation difference = (worker evaluation ms - local-1 wall) / tasks: the same
 *    trials evaluated in another process (on a loaded 2-core machine, a matter of who gets
 *    a core, not of the queue).
 * Round trip: a job of one trial, end to end (add, take, evaluate, results into the hash,
 * completion event, read).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { DEFAULTS } from "../lib/optimize/config";
import { EvaluatorPool } from "../lib/optimize/pool";
import type { TrialEvaluator } from "../lib/optimize/backend";
import type { EvalTask } from "../lib/optimize/task";
import { DIST_DIR } from "../lib/paths";
import { RedisEvaluator } from "../lib/scale/coordinator";
import { getStrategy } from "../lib/strategies/registry";
import { freshParams } from "./evaluator";
import { median, quantile } from "./measure";
import type { BenchContext, Section, SectionOutput } from "./section";

const STRATEGY = "sma_cross";
const BATCH = DEFAULTS.batchSize;
const TASKS = 256;
const ROUNDS = 3;
const WARM = 64;
const RTT_SAMPLES = 50;
/** Target of issue 15. */
export const QUEUE_OVERHEAD_TARGET_MS = 0.5;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** CPU ms of each thread of a process (Linux /proc; empty elsewhere), by thread id. */
function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields 14 and 15 of stat (utime, stime), in clock ticks of 10 ms.
      out.set(tid, (Number(f[11]) + Number(f[12])) * 10);
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

/** CPU ms per thread between two snapshots, the busiest first. */
function cpuSpent(before: Map<string, number>, after: Map<string, number>): number[] {
  return [...after].map(([tid, ms]) => ms - (before.get(tid) ?? 0)).sort((a, b) => b - a);
}

async function startRedis(): Promise<{ url: string; pid: number; stop: () => void }> {
  const bin = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find(existsSync);
  if (bin === undefined) throw new Error("redis-server is missing (npm install installs it as root, or: apt-get install redis-server)");
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const proc = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  for (let i = 0; i < 200; i++) {
    const r = spawnSync("redis-cli", ["-p", String(port), "--no-auth-warning", "-a", password, "ping"], { encoding: "utf8" });
    if (r.stdout.trim() === "PONG") break;
    await new Promise((res) => setTimeout(res, 25));
  }
  return { url: `redis://:${password}@127.0.0.1:${port}`, pid: proc.pid ?? 0, stop: () => proc.kill("SIGKILL") };
}

function startWorker(url: string, queue: string): ChildProcess {
  return spawn(process.execPath, [join(DIST_DIR, "lib", "cli", "main.js"), "worker", "--redis", url, "--queue", queue, "--concurrency", "1"], { stdio: "ignore" });
}

const stopWorker = (w: ChildProcess) => new Promise<void>((res) => (w.exitCode !== null ? res() : (w.once("exit", () => res()), w.kill("SIGTERM"))));

function tasksOf(ctx: { strategy: ReturnType<typeof getStrategy> }, n: number, seed: number, study: string): EvalTask[] {
  return freshParams(ctx.strategy, n, seed).map((p, i) => ({ id: i, study, strategy: STRATEGY, params: p, tradeSizes: [10_000] }));
}

function batches<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** Wall ms to evaluate `streams` (each a list of batches, one after the other), the streams at once. */
async function timeStreams(ev: TrialEvaluator, streams: EvalTask[][][]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(streams.map(async (bs) => {
    for (const b of bs) await ev.evaluate(b);
  }));
  return performance.now() - t0;
}

async function queueEvaluator(ctx: BenchContext, url: string, queue: string, name: string): Promise<RedisEvaluator> {
  return RedisEvaluator.start(
    { bars: ctx.bars, costs: ctx.costs, workers: 1, run: { dir: "", name, created: new Date().toISOString() }, paths: { data: ctx.dataPath, costs: ctx.costsPath }, onLog: () => undefined },
    { url, queue, trialsPerJob: BATCH },
  );
}

async function run(ctx: BenchContext): Promise<SectionOutput> {
  const strategy = getStrategy(STRATEGY);
  ctx.progress("scale: starting redis-server and worker processes");
  const redis = await startRedis();
  const workers: ChildProcess[] = [];
  const pools: EvaluatorPool[] = [];
  const queues: RedisEvaluator[] = [];
  try {
    const q1 = "bench-one";
    const q2 = "bench-two";
    workers.push(startWorker(redis.url, q1), startWorker(redis.url, q2), startWorker(redis.url, q2));
    const local1 = await EvaluatorPool.start(ctx.bars, ctx.costs, 1);
    const local2 = await EvaluatorPool.start(ctx.bars, ctx.costs, 2);
    pools.push(local1, local2);
    const queue1 = await queueEvaluator(ctx, redis.url, q1, `bench-1-${process.pid}`);
    const queue2 = await queueEvaluator(ctx, redis.url, q2, `bench-2-${process.pid}`);
    queues.push(queue1, queue2);

    // Warm every evaluator (JIT, worker start, the worker's data load through Redis).
    const warm = (study: string) => batches(tasksOf({ strategy }, WARM, 99, study), BATCH);
    for (const ev of [local1, queue1, local2]) for (const b of warm("warm|a")) await ev.evaluate(b);
    await timeStreams(queue2, [warm("warm|a"), warm("warm|b")]);

    const walls: Record<string, number[]> = { "local-1": [], "queue-1": [], "local-2": [], "queue-2": [] };
    const overheads: number[] = [];
    const own: number[] = [];
    // CPU ms over the queue-1 runs: the worker process's evaluating thread and its others,
    // redis-server, and this (coordinator) process.
    const cpu = { workerEvalThread: 0, workerOtherThreads: 0, redis: 0, coordinator: 0 };
    const evalDiff: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ctx.progress(`scale: round ${r + 1}/${ROUNDS}`);
      const one = batches(tasksOf({ strategy }, TASKS, 100 + r, `round${r}|one`), BATCH);
      const twoA = batches(tasksOf({ strategy }, TASKS / 2, 200 + r, `round${r}|a`), BATCH);
      const twoB = batches(tasksOf({ strategy }, TASKS / 2, 300 + r, `round${r}|b`), BATCH);
      // Alternate who goes first, so a load that comes and goes falls on both.
      const order = r % 2 === 0 ? (["local", "queue"] as const) : (["queue", "local"] as const);
      let workerEval = 0;
      for (const who of order) {
        const before = queue1.stats.workerEvalMs;
        const cpu0 = { worker: threadCpuMs(workers[0].pid ?? 0), redis: threadCpuMs(redis.pid), coordinator: process.cpuUsage() };
        walls[`${who}-1`].push(await timeStreams(who === "local" ? local1 : queue1, [one]));
        if (who === "queue") {
          workerEval = queue1.stats.workerEvalMs - before;
          const w = cpuSpent(cpu0.worker, threadCpuMs(workers[0].pid ?? 0));
          const c = process.cpuUsage(cpu0.coordinator);
          cpu.workerEvalThread += w[0] ?? 0;
          cpu.workerOtherThreads += w.slice(1).reduce((a, b) => a + b, 0);
          cpu.redis += cpuSpent(cpu0.redis, threadCpuMs(redis.pid)).reduce((a, b) => a + b, 0);
          cpu.coordinator += (c.user + c.system) / 1000;
        }
      }
      for (const who of order) walls[`${who}-2`].push(await timeStreams(who === "local" ? local2 : queue2, [twoA, twoB]));
      overheads.push((walls["queue-1"][r] - walls["local-1"][r]) / TASKS);
      own.push((walls["queue-1"][r] - workerEval) / TASKS);
      evalDiff.push((workerEval - walls["local-1"][r]) / TASKS);
    }

    ctx.progress("scale: round trips of one-trial jobs");
    const rtt: number[] = [];
    const rttOwn: number[] = [];
    const single = tasksOf({ strategy }, RTT_SAMPLES, 500, "rtt|one");
    const localOne: number[] = [];
    for (const t of single) {
      let t0 = performance.now();
      const before = queue1.stats.workerEvalMs;
      await queue1.evaluate([t]);
      rtt.push(performance.now() - t0);
      rttOwn.push(rtt[rtt.length - 1] - (queue1.stats.workerEvalMs - before));
      t0 = performance.now();
      await local1.evaluate([{ ...t, study: "rtt|local" }]);
      localOne.push(performance.now() - t0);
    }
    const rate = (k: string) => (TASKS * 1000) / median(walls[k]);
    const overhead = median(overheads);
    const figures = {
      strategy: STRATEGY,
      tasks_per_round: TASKS,
      rounds: ROUNDS,
      trials_per_job: BATCH,
      trials_per_s: { local_1: rate("local-1"), queue_1_worker: rate("queue-1"), local_2: rate("local-2"), queue_2_workers: rate("queue-2") },
      queue_overhead_ms_per_trial: overhead,
      queue_overhead_per_round: overheads,
      queue_own_ms_per_trial: median(own),
      queue_own_per_round: own,
      worker_eval_minus_local_ms_per_trial: median(evalDiff),
      worker_eval_minus_local_per_round: evalDiff,
      queue_1_cpu_ms_per_trial: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / (TASKS * ROUNDS)])),
      overhead_target_ms: QUEUE_OVERHEAD_TARGET_MS,
      round_trip_ms_one_trial: { median: median(rtt), p90: quantile(rtt, 0.9), queue_own_median: median(rttOwn) },
      local_one_trial_ms: median(localOne),
      queue_scaling_1_to_2_workers: rate("queue-2") / rate("queue-1"),
    };
    return {
      figures,
      tables: [
        {
          title: `Trials on the Redis queue vs the local pool: ${STRATEGY}, ${TASKS} tasks x ${ROUNDS} rounds, jobs of ${BATCH} trials (medians)`,
          columns: ["configuration", "evaluation threads", "trials/s"],
          rows: [
            ["local pool", "1", rate("local-1")],
            ["queue, 1 worker process", "1", rate("queue-1")],
            ["local pool, 2 studies at once", "2", rate("local-2")],
            ["queue, 2 worker processes, 2 studies at once", "2 (1 per process)", rate("queue-2")],
          ],
          notes: [
            `queue overhead per trial (queue wall - local wall): ${overhead.toFixed(3)} ms; rounds: ${overheads.map((x) => x.toFixed(3)).join(", ")}`,
            `  of which the queue's own cost (queue wall - worker evaluation time): ${median(own).toFixed(3)} ms (target < ${QUEUE_OVERHEAD_TARGET_MS}: ${median(own) < QUEUE_OVERHEAD_TARGET_MS ? "met" : "not met"}); rounds: ${own.map((x) => x.toFixed(3)).join(", ")}`,
            `  and the worker's evaluation time - the local pool's wall: ${median(evalDiff).toFixed(3)} ms; rounds: ${evalDiff.map((x) => x.toFixed(3)).join(", ")}`,
            `queue, 1 worker: CPU ms per trial: worker evaluating thread ${(cpu.workerEvalThread / (TASKS * ROUNDS)).toFixed(3)}, worker other threads ${(cpu.workerOtherThreads / (TASKS * ROUNDS)).toFixed(3)}, redis-server ${(cpu.redis / (TASKS * ROUNDS)).toFixed(3)}, coordinator process ${(cpu.coordinator / (TASKS * ROUNDS)).toFixed(3)}`,
          ],
        },
        {
          title: "Round trip of a one-trial job (add, take, evaluate, write, complete, read)",
          columns: ["figure", "ms"],
          rows: [
            ["queue, median", median(rtt)],
            ["queue, p90", quantile(rtt, 0.9)],
            ["queue, median, less the worker's evaluation time", median(rttOwn)],
            ["local pool, median (same trial)", median(localOne)],
          ],
        },
      ],
    };
  } finally {
    for (const q of queues) await q.close();
    for (const p of pools) await p.close();
    await Promise.all(workers.map(stopWorker));
    redis.stop();
  }
}

export const scaleSection: Section = { name: "scale", title: "Scale-out: the Redis job queue against the local pool", run };
