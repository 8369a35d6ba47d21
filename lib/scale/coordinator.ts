/**
 * The coordinator's side of the queue: a TrialEvaluator whose evaluations run on
 * `stratlab worker` processes anywhere that reaches the same Redis.
 *
 * Redis holds work and results, never the truth: the run's journal stays on the
 * coordinator's disk. Workers write each trial's result into the run's results hash
 * (field `${study}|${id}`) before their job completes; the coordinator journals a trial
 * when its result is there. That makes every fault a retry of something idempotent:
 * - a worker killed mid-job: BullMQ's stalled-job check hands the job to another worker;
 * - the coordinator killed: on resume, trials that workers finished meanwhile are read
 *   from the results hash instead of being evaluated again;
 * - Redis restarted (empty): a sweep every second re-uploads the data files and re-adds
 *   the jobs whose results are missing (a job id names its run, study and trials, so
 *   adding a job that exists is a no-op and a trial is never queued twice).
 */
import { hostname } from "node:os";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { RunError } from "../errors";
import type { EvaluatorContext, TrialEvaluator } from "../optimize/backend";
import type { EvalTask, TaskResult } from "../optimize/task";
import { hasBlob, putBlob } from "./blobs";
import { codeHash } from "../io/code-hash";
import { JOB_NAME, type EvaluationJob } from "./jobs";
import { DEFAULT_QUEUE, jobId, keys, resultField, RESULTS_TTL_S, runKey } from "./keys";
import { connectReachable, connectRedis, maskRedisUrl } from "./redis";

export interface RedisEvaluatorOptions {
  /** redis://[:password@]host:port */
  url: string;
  queue?: string;
  /** Trials per job (default 8): fewer round trips per trial against finer load balancing. */
  trialsPerJob?: number;
  /** How often pending work is checked against Redis (default 1000 ms). */
  sweepMs?: number;
  /** Say on stderr that no worker is connected after this long (default 10 s). */
  noWorkerWarningMs?: number;
}

interface Pending {
  id: string;
  job: EvaluationJob;
  /** Trials whose results are still missing. */
  waiting: EvalTask[];
  got: TaskResult[];
  done: (results: TaskResult[]) => void;
}

/** What this coordinator's jobs cost on the workers (the bench splits a job's wall time with it). */
export interface QueueStats {
  /** Jobs of this coordinator that completed. */
  jobs: number;
  /** Wall ms the workers' pools spent evaluating them (as the workers report it). */
  workerEvalMs: number;
}

export class RedisEvaluator implements TrialEvaluator {
  readonly stats: QueueStats = { jobs: 0, workerEvalMs: 0 };
  private readonly pending = new Map<string, Pending>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private noWorkerSince: number | null = null;
  private lastNoWorkerNote = 0;
  private readonly failuresSaid = new Set<string>();
  private closed = false;
  private get redis(): Redis {
    return this.connections[0];
  }

  private constructor(
    private readonly ctx: EvaluatorContext,
    private readonly o: Required<RedisEvaluatorOptions>,
    private readonly connections: Redis[],
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly run: string,
    private readonly blobs: { data: string; costs: string },
    readonly size: number,
  ) {}

  static async start(ctx: EvaluatorContext, options: RedisEvaluatorOptions): Promise<RedisEvaluator> {
    const o: Required<RedisEvaluatorOptions> = { queue: DEFAULT_QUEUE, trialsPerJob: 8, sweepMs: 1000, noWorkerWarningMs: 10_000, ...options };
    const redis = await connectReachable(o.url);
    const blobs = {
      data: await putBlob(redis, ctx.paths.data, RESULTS_TTL_S),
      costs: await putBlob(redis, ctx.paths.costs, RESULTS_TTL_S),
    };
    // BullMQ leaves connections it was given open: close() ends them.
    const given = [connectRedis(o.url), connectRedis(o.url)];
    const queue = new Queue(o.queue, { connection: given[0] });
    const events = new QueueEvents(o.queue, { connection: given[1] });
    queue.on("error", () => undefined);
    events.on("error", () => undefined);
    await events.waitUntilReady();
    const ev = new RedisEvaluator(ctx, o, [redis, ...given], queue, events, runKey(ctx.run.name, ctx.run.created), blobs, ctx.workers);
    events.on("completed", ({ jobId: id, returnvalue }) => {
      ev.count(id, returnvalue);
      void ev.check(id);
    });
    events.on("failed", ({ jobId: id, failedReason }) => ev.sayFailure(id, failedReason));
    ev.sweepTimer = setInterval(() => void ev.sweep(), o.sweepMs);
    // Cancelled: every wait ends with what it has (one listener for the evaluator's life).
    ctx.signal?.addEventListener("abort", () => ev.releaseAll(), { once: true });
    ctx.onLog(`evaluating on the queue "${o.queue}" at ${maskRedisUrl(o.url)} (run key ${ev.run}, from ${hostname()})`);
    return ev;
  }

  async evaluate(tasks: readonly EvalTask[], onChunk?: (results: TaskResult[]) => void): Promise<TaskResult[]> {
    if (tasks.length === 0) return [];
    const byTask = new Map<EvalTask, TaskResult>();
    const deliver = (results: TaskResult[]) => {
      if (results.length === 0) return;
      onChunk?.(results);
      for (const r of results) {
        const t = tasks.find((x) => x.id === r.id && x.study === r.study);
        if (t) byTask.set(t, r);
      }
    };
    // Results that workers finished before this coordinator asked (a resumed run).
    const known = await this.readResults(tasks);
    deliver(known.filter((r): r is TaskResult => r !== null));
    const missing = tasks.filter((_, i) => known[i] === null);

    const waits: Promise<void>[] = [];
    const jobs: { name: string; data: EvaluationJob; opts: { jobId: string } }[] = [];
    for (const group of blocks(missing, this.o.trialsPerJob)) {
      const id = jobId(this.run, group[0].study, group.map((t) => t.id));
      const job: EvaluationJob = { v: 1, run: this.run, data_sha256: this.blobs.data, costs_sha256: this.blobs.costs, code_hash: codeHash(), tasks: group };
      waits.push(new Promise<void>((resolve) => this.pending.set(id, { id, job, waiting: group, got: [], done: (rs) => (deliver(rs), resolve()) })));
      jobs.push({ name: JOB_NAME, data: job, opts: { jobId: id } });
    }
    if (jobs.length > 0) await this.queue.addBulk(jobs.map((j) => ({ ...j, opts: { ...j.opts, ...JOB_OPTIONS } })));
    await Promise.all(waits);
    return tasks.map((t) => byTask.get(t)).filter((r): r is TaskResult => r !== undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.releaseAll();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    for (const c of this.connections) c.disconnect();
  }

  /** Cancelled: every wait ends with what it has (the runner journals only what arrived). */
  private releaseAll(): void {
    for (const p of [...this.pending.values()]) {
      this.pending.delete(p.id);
      p.done(p.got);
    }
  }

  /** Deliver what has arrived for one pending job. */
  private async check(id: string): Promise<void> {
    const p = this.pending.get(id);
    if (p === undefined) return;
    let results: (TaskResult | null)[];
    try {
      results = await this.readResults(p.waiting);
    } catch {
      return; // Redis away: the sweep tries again
    }
    if (this.pending.get(id) !== p) return;
    const arrived = results.filter((r): r is TaskResult => r !== null);
    if (arrived.length === 0) return;
    p.got.push(...arrived);
    p.waiting = p.waiting.filter((_, i) => results[i] === null);
    if (p.waiting.length > 0) return;
    this.pending.delete(id);
    p.done(p.got);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.closed || this.pending.size === 0) return;
    this.sweeping = true;
    try {
      for (const id of [...this.pending.keys()]) await this.check(id);
      if (this.pending.size === 0) return;
      // After a Redis restart the blobs and jobs are gone: put them back (no-ops otherwise).
      if (!(await hasBlob(this.redis, this.blobs.data))) await putBlob(this.redis, this.ctx.paths.data, RESULTS_TTL_S);
      if (!(await hasBlob(this.redis, this.blobs.costs))) await putBlob(this.redis, this.ctx.paths.costs, RESULTS_TTL_S);
      const lost: Pending[] = [];
      for (const p of this.pending.values()) if ((await this.queue.getJobState(p.id)) === "unknown") lost.push(p);
      if (lost.length > 0) {
        await this.queue.addBulk(lost.map((p) => ({ name: JOB_NAME, data: { ...p.job, tasks: p.waiting }, opts: { jobId: p.id, ...JOB_OPTIONS } })));
        this.ctx.onLog(`re-queued ${lost.length} job(s) that Redis no longer had (was it restarted?)`);
      }
      await this.watchWorkers();
    } catch {
      // Redis unreachable: ioredis reconnects; the next sweep continues.
    } finally {
      this.sweeping = false;
    }
  }

  private async watchWorkers(): Promise<void> {
    const n = await this.queue.getWorkersCount();
    const now = Date.now();
    if (n > 0) {
      if (this.noWorkerSince !== null && this.lastNoWorkerNote > 0) this.ctx.onLog(`${n} worker(s) connected; evaluating`);
      this.noWorkerSince = null;
      this.lastNoWorkerNote = 0;
      return;
    }
    this.noWorkerSince ??= now;
    if (now - this.noWorkerSince >= this.o.noWorkerWarningMs && now - this.lastNoWorkerNote >= 60_000) {
      this.lastNoWorkerNote = now;
      this.ctx.onLog(`no worker is connected to the queue "${this.o.queue}" at ${maskRedisUrl(this.o.url)}; waiting (start one with: stratlab worker --redis URL --queue ${this.o.queue})`);
    }
  }

  private count(id: string, returnvalue: unknown): void {
    if (!this.pending.has(id)) return;
    this.stats.jobs += 1;
    const v = (typeof returnvalue === "string" ? safeParse(returnvalue) : returnvalue) as { eval_ms?: unknown } | null;
    if (typeof v?.eval_ms === "number") this.stats.workerEvalMs += v.eval_ms;
  }

  private sayFailure(id: string, reason: string): void {
    if (!this.pending.has(id) || this.failuresSaid.has(reason)) return;
    this.failuresSaid.add(reason);
    this.ctx.onLog(`a worker failed job ${id} (retried): ${reason}`);
  }

  private async readResults(tasks: readonly EvalTask[]): Promise<(TaskResult | null)[]> {
    if (tasks.length === 0) return [];
    const raw = await this.redis.hmget(keys.results(this.run), ...tasks.map((t) => resultField(t.study, t.id)));
    return raw.map((s, i) => {
      if (s === null) return null;
      try {
        const r = JSON.parse(s) as TaskResult;
        if (r.id !== tasks[i].id || r.study !== tasks[i].study || !Array.isArray(r.results)) throw new Error("shape");
        return r;
      } catch {
        throw new RunError(`Redis holds an unreadable result for trial ${tasks[i].id} of ${tasks[i].study} (run key ${this.run}); delete ${keys.results(this.run)} and resume`);
      }
    });
  }
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/**
 * Retried without end (a failure is a worker's problem - a refused version, a lost file -
 * that another worker or a later attempt can solve; the coordinator says it once). Kept
 * bounded in Redis.
 */
const JOB_OPTIONS = { attempts: 1_000_000, backoff: { type: "fixed", delay: 1000 }, removeOnComplete: { count: 10_000 }, removeOnFail: { count: 10_000 } } as const;

/**
 * Tasks grouped into jobs by aligned blocks of trial ids (ids k*n .. k*n+n-1 of one study):
 * the same missing trials give the same job ids whenever the coordinator asks again.
 */
function blocks(tasks: readonly EvalTask[], n: number): EvalTask[][] {
  const groups = new Map<string, EvalTask[]>();
  for (const t of tasks) {
    const k = `${t.study}\u0000${Math.floor(t.id / n)}`;
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(t);
  }
  return [...groups.values()];
}
