/**
 * The evaluation time a worker reports per job (EvaluationJobResult.eval_ms), summed by the
 * coordinator (RedisEvaluator.stats): what the scale bench subtracts from the queue's wall
 * time to tell the queue's own per-trial cost from the evaluations'. Real Redis, a real
 * worker pool thread, in this process.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadCostTable } from "../../lib/costs/load";
import { loadBars } from "../../lib/data/csv";
import type { EvalTask } from "../../lib/optimize/task";
import { RedisEvaluator } from "../../lib/scale/coordinator";
import { startQueueWorker, type QueueWorker } from "../../lib/scale/worker";
import { defaultParams } from "../../lib/strategies/params";
import { getStrategy } from "../../lib/strategies/registry";
import { COSTS, fixture, requireCli } from "../optimize/cli-fixtures";
import { TestRedis } from "./redis-server";

let redis: TestRedis;
let worker: QueueWorker;
let fx: ReturnType<typeof fixture>;

beforeAll(async () => {
  requireCli(); // the pool's thread runs the compiled worker script
  fx = fixture(60, 7);
  redis = await TestRedis.start();
  worker = await startQueueWorker({ url: redis.url, queue: "stats", threads: 1, data: fx.data, onLog: () => undefined });
});

afterAll(async () => {
  await worker?.close();
  await redis?.down();
});

it("the coordinator sums the evaluation time its workers report per job, and counts only its own jobs", async () => {
  const bars = loadBars(fx.data);
  const ctx = { bars, costs: loadCostTable(COSTS), workers: 1, paths: { data: fx.data, costs: COSTS }, onLog: () => undefined };
  const strategy = getStrategy("sma_cross");
  const tasks: EvalTask[] = [0, 1, 2, 3, 4, 5].map((id) => ({ id, study: "s", strategy: "sma_cross", params: { ...defaultParams(strategy), fast: 5 + id }, tradeSizes: [10_000] }));
  const ev = await RedisEvaluator.start({ ...ctx, run: { dir: "", name: "stats-a", created: "2026-11-28T00:00:00Z" } }, { url: redis.url, queue: "stats", trialsPerJob: 2 });
  const other = await RedisEvaluator.start({ ...ctx, run: { dir: "", name: "stats-b", created: "2026-11-28T00:00:00Z" } }, { url: redis.url, queue: "stats", trialsPerJob: 3 });
  try {
    // One job at a time (as one study's batches go): the evaluations cannot overlap, so
    // their sum stays under the wall time. (Jobs in flight together on one worker each
    // count the time they wait for its pool.)
    const t0 = performance.now();
    const results = [];
    for (let i = 0; i < tasks.length; i += 2) results.push(...(await ev.evaluate(tasks.slice(i, i + 2))));
    const wall = performance.now() - t0;
    expect(results.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ev.stats.jobs).toBe(3);
    expect(ev.stats.workerEvalMs).toBeGreaterThan(0);
    expect(ev.stats.workerEvalMs).toBeLessThan(wall);
    // Another run on the same queue: its jobs are its own, not counted by the first.
    await other.evaluate(tasks);
    expect(other.stats.jobs).toBe(2);
    expect(ev.stats.jobs).toBe(3);
  } finally {
    await ev.close();
    await other.close();
  }
}, 60_000);
