/**
 * Optimiser throughput (issue 3) on the default data, sma_cross, trade size 10,000.
 *
 * Pool: one fixed sequence of tasks (parameter sets drawn in advance by the random
 * sampler, so no proposal time is counted) is evaluated three ways, in batches of the
 * runner's default size (16), one batch after the other as the runner sends them:
 *  - in-process: `evaluateTask` on one Evaluator in this thread (the bare evaluator);
 *  - a 1-worker EvaluatorPool;
 *  - an EvaluatorPool of the default size (workerCount(): all cores here).
 * Trials/s = tasks / wall time of their batches. Pool overhead = 1 - (1-worker pool
 * trials/s) / (in-process trials/s): messages, structured clones, the worker's wake-up,
 * and nothing else, since both evaluate the same tasks in the same order with an
 * Evaluator of their own. Scaling = (all-worker trials/s) / (1-worker trials/s). Every
 * round uses new tasks and runs the three in a rotated order; ratios are taken within a
 * round, and the medians over rounds reported.
 *
 * Runner: `runOptimization` end to end (proposals, pool, journal with fdatasync,
 * checkpoints), tpe and random, for context.
 */
import { Evaluator } from "../lib/engine/evaluate";
import { DEFAULTS } from "../lib/optimize/config";
import { evaluateTask } from "../lib/optimize/evaluate-task";
import { EvaluatorPool, workerCount } from "../lib/optimize/pool";
import { proposeBatch } from "../lib/optimize/proposals";
import { runOptimization } from "../lib/optimize/runner";
import { createSampler, type TrialRecord } from "../lib/optimize/samplers";
import type { EvalTask } from "../lib/optimize/task";
import { getStrategy } from "../lib/strategies/registry";
import { freshParams } from "./evaluator";
import { median } from "./measure";
import type { BenchContext, Section, SectionOutput } from "./section";
import type { Table } from "./table";

/** Targets of issue 3. */
export const SCALING_TARGET = 1.8;
export const OVERHEAD_TARGET = 0.1;
const STRATEGY = "sma_cross";
const BATCH = DEFAULTS.batchSize;
const ROUNDS = 3;
/** Tasks per round and configuration. */
const TASKS = 256;
/** Untimed tasks every configuration evaluates first (JIT, buffers, indicator cache). */
const WARM = 64;
/** Trials of the end-to-end runs. */
const RUNNER_TRIALS = 400;

type Config = "in-process" | "pool-1" | "pool-all";

function tasksOf(params: ReturnType<typeof freshParams>, firstId: number): EvalTask[] {
  return params.map((p, i) => ({ id: firstId + i, study: `${STRATEGY}|mar|1y`, strategy: STRATEGY, params: p, tradeSizes: [10_000] }));
}

function batches<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

interface RunnerFigures {
  sampler: string;
  trials: number;
  workers: number;
  /** Trials / wall time of runOptimization (CSV load, hashing, pool start included). */
  wall_s: number;
  trials_per_s_wall: number;
  /** Trials / time from the first finished chunk to the last (the steady rate). */
  trials_per_s_steady: number;
  /** Proposal time, replayed in this thread afterwards (the runner proposes while its study's workers wait). */
  propose_ms_total: number;
  propose_ms_median_batch: number;
  propose_ms_last_batch: number;
}

async function runner(ctx: BenchContext, sampler: string): Promise<RunnerFigures> {
  const out = ctx.tempDir("runner");
  const ticks: Array<{ t: number; done: number }> = [];
  const t0 = performance.now();
  const outcome = await runOptimization(
    { strategies: [STRATEGY], objectives: ["mar"], periods: ["1y"], trials: RUNNER_TRIALS, sampler, seed: 1, out, data: ctx.dataPath, costs: ctx.costsPath },
    { onProgress: (p) => ticks.push({ t: performance.now(), done: p.sessionDone }) },
  );
  const wall = (performance.now() - t0) / 1000;
  const moving = ticks.filter((x) => x.done > 0);
  const first = moving[0];
  const last = moving[moving.length - 1];
  const steady = last && first && last.t > first.t ? ((last.done - first.done) * 1000) / (last.t - first.t) : NaN;

  // Replay the proposals on the finished history: what the runner spent proposing.
  const strategy = getStrategy(STRATEGY);
  const key = outcome.studies[0].key;
  const byId = new Map<number, TrialRecord>(outcome.trials.map((t) => [t.id, { id: t.id, params: t.params, value: t.value }]));
  const s = createSampler(sampler);
  const times: number[] = [];
  for (let k = 0; k * BATCH < RUNNER_TRIALS; k++) {
    const t = performance.now();
    proposeBatch(s, strategy, { byId }, k, BATCH, 1, key, RUNNER_TRIALS);
    times.push(performance.now() - t);
  }
  return {
    sampler,
    trials: outcome.trials.length,
    workers: outcome.workers,
    wall_s: wall,
    trials_per_s_wall: outcome.trials.length / wall,
    trials_per_s_steady: steady,
    propose_ms_total: times.reduce((a, b) => a + b, 0),
    propose_ms_median_batch: median(times),
    propose_ms_last_batch: times[times.length - 1],
  };
}

async function run(ctx: BenchContext): Promise<SectionOutput> {
  const strategy = getStrategy(STRATEGY);
  const all = workerCount();
  const params = freshParams(strategy, WARM + ROUNDS * TASKS, 11);
  const warm = tasksOf(params.slice(0, WARM), 0);
  const rounds = Array.from({ length: ROUNDS }, (_, r) => tasksOf(params.slice(WARM + r * TASKS, WARM + (r + 1) * TASKS), WARM + r * TASKS));

  ctx.progress(`optimizer: starting pools of 1 and ${all} workers`);
  const ev = new Evaluator(ctx.bars, ctx.costs);
  const pool1 = await EvaluatorPool.start(ctx.bars, ctx.costs, 1);
  const poolAll = await EvaluatorPool.start(ctx.bars, ctx.costs, all);
  const rates: Record<Config, number[]> = { "in-process": [], "pool-1": [], "pool-all": [] };
  const overheads: number[] = [];
  const scalings: number[] = [];
  try {
    const evaluate: Record<Config, (b: EvalTask[]) => Promise<unknown>> = {
      "in-process": async (b) => b.map((t) => evaluateTask(ev, t, 0)),
      "pool-1": (b) => pool1.evaluate(b),
      "pool-all": (b) => poolAll.evaluate(b),
    };
    const configs = Object.keys(evaluate) as Config[];
    for (const c of configs) for (const b of batches(warm, BATCH)) await evaluate[c](b);
    for (let r = 0; r < ROUNDS; r++) {
      const order = configs.map((_, i) => configs[(i + r) % configs.length]);
      const round = {} as Record<Config, number>;
      for (const c of order) {
        ctx.progress(`optimizer: round ${r + 1}/${ROUNDS}, ${c}`);
        const t0 = performance.now();
        for (const b of batches(rounds[r], BATCH)) await evaluate[c](b);
        round[c] = (TASKS * 1000) / (performance.now() - t0);
        rates[c].push(round[c]);
      }
      overheads.push(1 - round["pool-1"] / round["in-process"]);
      scalings.push(round["pool-all"] / round["pool-1"]);
    }
  } finally {
    await pool1.close();
    await poolAll.close();
  }
  const rate = (c: Config) => median(rates[c]);
  const overhead = median(overheads);
  const scaling = median(scalings);

  const runners: RunnerFigures[] = [];
  for (const s of ["tpe", "random"]) {
    ctx.progress(`optimizer: runOptimization, ${s}, ${RUNNER_TRIALS} trials`);
    runners.push(await runner(ctx, s));
  }

  const tables: Table[] = [
    {
      title: `Pool throughput: ${STRATEGY}, pre-drawn random params, batches of ${BATCH}, ${TASKS} tasks x ${ROUNDS} rounds (medians)`,
      columns: ["configuration", "workers", "trials/s", "per round"],
      rows: (["in-process", "pool-1", "pool-all"] as Config[]).map((c) => [c, c === "in-process" ? 0 : c === "pool-1" ? 1 : all, rate(c), rates[c].map((x) => x.toFixed(0)).join(", ")]),
      notes: ["in-process: evaluateTask on an Evaluator in this thread (no pool, no messages); 0 workers."],
    },
    {
      title: "Targets (issue 3)",
      columns: ["figure", "median", "per round", "target", "met"],
      rows: [
        [`scaling, ${all} workers / 1 worker`, scaling, scalings.map((x) => x.toFixed(2)).join(", "), `>= ${SCALING_TARGET}x`, scaling >= SCALING_TARGET],
        ["pool overhead, 1 - pool-1 / in-process", overhead, overheads.map((x) => (100 * x).toFixed(1) + "%").join(", "), `< ${100 * OVERHEAD_TARGET}%`, overhead < OVERHEAD_TARGET],
      ],
      notes: [`scaling efficiency = ${(scaling / all).toFixed(2)} of linear on ${all} workers.`],
    },
    {
      title: `End-to-end runOptimization: ${STRATEGY}|mar|1y, ${RUNNER_TRIALS} trials, ${all} workers, batch ${BATCH}`,
      columns: ["sampler", "wall s", "trials/s (wall)", "trials/s (steady)", "propose ms total", "propose ms/batch (median)", "last batch"],
      rows: runners.map((r) => [r.sampler, r.wall_s, r.trials_per_s_wall, r.trials_per_s_steady, r.propose_ms_total, r.propose_ms_median_batch, r.propose_ms_last_batch]),
      notes: [
        "wall: the whole call (CSV load, sha256 of the data, pool start, journal fdatasync per chunk); steady: first finished chunk to last.",
        "propose: the sampler's proposals replayed in this thread on the finished history (one study: its workers wait meanwhile).",
      ],
    },
  ];
  return {
    tables,
    figures: {
      strategy: STRATEGY,
      batch: BATCH,
      tasks_per_round: TASKS,
      rounds: ROUNDS,
      workers_all: all,
      trials_per_s: { in_process: rate("in-process"), pool_1: rate("pool-1"), pool_all: rate("pool-all") },
      trials_per_s_rounds: rates,
      scaling: { median: scaling, rounds: scalings, target: SCALING_TARGET, met: scaling >= SCALING_TARGET, efficiency: scaling / all },
      pool_overhead: { median: overhead, rounds: overheads, target: OVERHEAD_TARGET, met: overhead < OVERHEAD_TARGET },
      runner: runners,
    },
  };
}

export const optimizerSection: Section = { name: "optimizer", title: "Optimizer (issue 3)", run };
