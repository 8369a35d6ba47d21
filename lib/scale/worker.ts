/**
 * `stratlab worker`: takes evaluation jobs from the queue and runs them on this machine's
 * threads.js pool (the same pool, worker script and evaluator as a local run, so the same
 * numbers). The run's data and cost files are loaded once per content (sha256), taken
 * through Redis when this machine lacks them.
 */
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { loadCostTable } from "../costs/load";
import { loadBars } from "../data/csv";
import { RunError, UsageError } from "../errors";
import { hashFile } from "../optimize/storage";
import { EvaluatorPool } from "../optimize/pool";
import { fetchBlob } from "./blobs";
import { codeHash } from "../io/code-hash";
import { JOB_NAME, type EvaluationJob, type EvaluationJobResult } from "./jobs";
import { DEFAULT_QUEUE, keys, resultField, RESULTS_TTL_S } from "./keys";
import { connectReachable, maskRedisUrl, runBullWorker } from "./redis";

export interface QueueWorkerOptions {
  url: string;
  queue?: string;
  /** Local evaluator threads (the pool size). */
  threads: number;
  /** A local copy of the data file: used when its sha256 is the run's, refused otherwise. */
  data?: string;
  /** Where files taken from Redis are kept (default: <tmp>/stratlab-worker-cache). */
  cacheDir?: string;
  /** BullMQ lock: a job whose worker stops renewing it for this long is handed to another (default 30 s). */
  lockDurationMs?: number;
  /** How often this worker looks for such stalled jobs (default 30 s). */
  stalledIntervalMs?: number;
  onLog: (line: string) => void;
}

export interface QueueWorker {
  /** Evaluations done by this worker. */
  readonly evaluated: () => number;
  /** Ends with the refusal when this worker refuses a run (other code, other data). */
  readonly refused: Promise<RunError>;
  close(): Promise<void>;
}

interface Loaded {
  key: string;
  pool: EvaluatorPool;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const queueName = o.queue ?? DEFAULT_QUEUE;
  const redis: Redis = await connectReachable(o.url);
  const cacheDir = o.cacheDir ?? join(tmpdir(), "stratlab-worker-cache");
  const localData = o.data === undefined ? null : { path: o.data, sha: hashFile(o.data) };
  const mine = codeHash();
  const name = `${hostname()}:${process.pid}`;
  let evaluated = 0;
  let loaded: Promise<Loaded> | null = null;
  let refuse: (e: RunError) => void = () => undefined;
  const refused = new Promise<RunError>((r) => (refuse = r));

  /** One pool for one (data, costs) pair; a job for another pair replaces it. */
  const poolFor = async (job: EvaluationJob): Promise<EvaluatorPool> => {
    const key = `${job.data_sha256}|${job.costs_sha256}`;
    const current = loaded === null ? null : await loaded.catch(() => null);
    if (current !== null && current.key === key) return current.pool;
    loaded = (async () => {
      if (current !== null) await current.pool.close();
      const dataPath = localData !== null && localData.sha === job.data_sha256 ? localData.path : await fetchBlob(redis, job.data_sha256, cacheDir, "data");
      const costsPath = await fetchBlob(redis, job.costs_sha256, cacheDir, "cost");
      const pool = await EvaluatorPool.start(loadBars(dataPath), loadCostTable(costsPath), o.threads);
      o.onLog(`loaded data ${job.data_sha256.slice(0, 12)} and costs ${job.costs_sha256.slice(0, 12)} on ${o.threads} thread(s)`);
      return { key, pool };
    })();
    return (await loaded).pool;
  };

  const processJob = async (job: Job<EvaluationJob, EvaluationJobResult>): Promise<EvaluationJobResult> => {
    const j = job.data;
    if (j.v !== 1 || !Array.isArray(j.tasks)) throw new RunError(`job ${job.id} is not a stratlab evaluation job (v ${JSON.stringify(j.v)})`);
    if (j.code_hash !== mine) {
      const e = new RunError(`refused: run ${j.run} was made with stratlab code ${j.code_hash.slice(0, 12)}, this worker runs ${mine.slice(0, 12)}; install the coordinator's version here`);
      refuse(e);
      throw e;
    }
    if (localData !== null && localData.sha !== j.data_sha256) {
      const e = new RunError(`refused: this worker's --data ${localData.path} has sha256 ${localData.sha.slice(0, 12)}, run ${j.run} uses ${j.data_sha256.slice(0, 12)}; give the run's file or leave out --data`);
      refuse(e);
      throw e;
    }
    const pool = await poolFor(j);
    const t0 = performance.now();
    const results = await pool.evaluate(j.tasks);
    const evalMs = performance.now() - t0;
    const fields: string[] = [];
    for (const r of results) fields.push(resultField(r.study, r.id), JSON.stringify(r));
    // Results first, then the job completes: a coordinator that sees the job done finds them.
    await redis.multi().hset(keys.results(j.run), ...fields).expire(keys.results(j.run), RESULTS_TTL_S).incrby(keys.evaluated(j.run), results.length).expire(keys.evaluated(j.run), RESULTS_TTL_S).exec();
    evaluated += results.length;
    return { evaluated: results.length, worker: name, eval_ms: evalMs };
  };

  // Two jobs per thread: one evaluating while the next one's message is on its way.
  const worker = await runBullWorker<EvaluationJob, EvaluationJobResult>(o.url, queueName, JOB_NAME, processJob, { ...o, name: `stratlab-worker@${name}`, concurrency: Math.max(1, 2 * o.threads) });
  o.onLog(`worker ${name} ready: queue "${queueName}" at ${maskRedisUrl(o.url)}, ${o.threads} thread(s), code ${mine.slice(0, 12)}`);

  let closing: Promise<void> | null = null;
  return {
    evaluated: () => evaluated,
    refused,
    close: () =>
      (closing ??= (async () => {
        await worker.close();
        const l = loaded === null ? null : await (loaded as Promise<Loaded>).catch(() => null);
        if (l !== null) await l.pool.close();
        redis.disconnect();
      })()),
  };
}
