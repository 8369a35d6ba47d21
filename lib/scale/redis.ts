/**
 * Connections to Redis for the job queue (BullMQ over ioredis): URL checks, a password-free
 * form of the URL for every message, and a reachability check that fails in one line
 * instead of retrying forever (ioredis's default).
 */
import { Worker, type Job } from "bullmq";
import IORedis, { type Redis } from "ioredis";
import { UsageError } from "../errors";

/** `redis://[:password@]host:port[/db]` or `rediss://` (TLS); anything else is refused. */
export function checkRedisUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--redis ${JSON.stringify(maskRedisUrl(url))} is not a URL; expected redis://[:password@]HOST:6379 (or rediss:// for TLS)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new UsageError(`--redis must start with redis:// or rediss:// (got ${u.protocol}//)`);
  if (u.hostname === "") throw new UsageError("--redis has no host; expected redis://[:password@]HOST:6379");
  return u;
}

/** The URL without its password, for logs and errors (a password never reaches either). */
export function maskRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/:[^@]*@/g, ":***@");
  }
}

/**
 * A connection for BullMQ (which needs `maxRetriesPerRequest: null` for its blocking
 * commands). After a Redis restart ioredis reconnects by itself; commands issued meanwhile
 * wait in its offline queue.
 */
export function connectRedis(url: string): Redis {
  checkRedisUrl(url);
  const r = new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (n) => Math.min(50 * 2 ** n, 1000) });
  // Errors while reconnecting are reported by the code that waits; without a listener
  // ioredis would print each one with a stack trace.
  r.on("error", () => undefined);
  return r;
}

/** PING within `timeoutMs`, or one line naming the (masked) URL and the reason. */
export async function requireReachable(redis: Redis, url: string, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onError: (e: Error) => void = () => undefined;
  try {
    await Promise.race([
      redis.ping(),
      // The first connection error decides (refused, unknown host, wrong password): at start
      // there is nothing to wait for.
      new Promise((_, reject) => {
        onError = reject;
        redis.on("error", onError);
      }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } catch (e) {
    const why = (e as Error).message;
    throw new UsageError(`cannot reach Redis at ${maskRedisUrl(url)} (${oneLine(why)}); start redis-server or check --redis (and its password)`);
  } finally {
    clearTimeout(timer);
    redis.off("error", onError);
  }
}

/** connectRedis, then requireReachable; the connection is closed again when Redis does not answer. */
export async function connectReachable(url: string): Promise<Redis> {
  const redis = connectRedis(url);
  try {
    await requireReachable(redis, url);
  } catch (e) {
    redis.disconnect();
    throw e;
  }
  return redis;
}

function oneLine(s: string): string {
  const t = s.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/** How a queue worker holds its jobs (both default to 30 s; tests shorten them). */
export interface QueueWorkerTiming {
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * A BullMQ worker on its own connection that runs jobs named `jobName` (any other name
 * fails), ready when this resolves. A job whose worker died is handed on however often
 * that happens (every stratlab job is idempotent). BullMQ leaves a connection it was given
 * open: `close` closes both.
 */
export async function runBullWorker<D, R>(
  url: string,
  queueName: string,
  jobName: string,
  run: (job: Job<D, R>) => Promise<R>,
  o: QueueWorkerTiming & { name: string; concurrency: number },
): Promise<{ close(): Promise<void> }> {
  const connection = connectRedis(url);
  const worker = new Worker<D, R>(queueName, (job) => (job.name === jobName ? run(job) : Promise.reject(new UsageError(`unknown job ${job.name}`))), {
    connection,
    concurrency: o.concurrency,
    name: o.name,
    lockDuration: o.lockDurationMs ?? 30_000,
    stalledInterval: o.stalledIntervalMs ?? 30_000,
    maxStalledCount: 1_000_000,
  });
  worker.on("error", () => undefined);
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}
