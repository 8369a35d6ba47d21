/**
 * Whole operations on the Redis queue, server side: `stratlab serve --redis URL` hands each
 * operation (start or resume) to this runner, which enqueues it as a BullMQ job (job id = the
 * operation id, so a server restarted after a crash that submits its queue again enqueues
 * nothing twice) for `stratlab worker --operations` processes on any machine, and relays their
 * progress and ends (Redis pub/sub) to the service as a local worker process would.
 *
 * Operations belong to the workers: closing the server leaves them running, recorded on the
 * shared checkpoint root (a restarted server shows them there).
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { JobHandlers, OperationRunner } from "../serve/runner";
import type { Job } from "../serve/types";
import { controlChannel, DEFAULT_OPERATIONS_QUEUE, eventsChannel, OPERATION_JOB, parseMessage, type OperationControl, type OperationEvent } from "./operations";
import { connectRedis, maskRedisUrl, requireReachable } from "./redis";

interface Tracked {
  handlers: JobHandlers;
  pid?: number;
  started: boolean;
}

export class QueueRunner implements OperationRunner {
  /** Decided by the workers (one operation each at a time), not by the server. */
  readonly capacity = 0;
  private readonly tracked = new Map<string, Tracked>();

  private constructor(
    private readonly queue: Queue<Job>,
    private readonly redis: Redis,
    private readonly sub: Redis,
    private readonly queueConnection: Redis,
    private readonly queueName: string,
    private readonly onLog: (line: string) => void,
  ) {
    sub.on("message", (_channel: string, text: string) => {
      const e = parseMessage<OperationEvent>(text);
      if (e !== undefined) this.onEvent(e);
    });
  }

  static async connect(url: string, o: { queue?: string; onLog?: (line: string) => void } = {}): Promise<QueueRunner> {
    const queueName = o.queue ?? DEFAULT_OPERATIONS_QUEUE;
    const redis = connectRedis(url);
    const sub = connectRedis(url);
    const queueConnection = connectRedis(url);
    try {
      await requireReachable(redis, url);
      await sub.subscribe(eventsChannel(queueName));
    } catch (e) {
      for (const c of [redis, sub, queueConnection]) c.disconnect();
      throw e;
    }
    const queue = new Queue<Job>(queueName, { connection: queueConnection });
    queue.on("error", () => undefined);
    const onLog = o.onLog ?? (() => undefined);
    onLog(`operations go to queue "${queueName}" at ${maskRedisUrl(url)} (stratlab worker --redis URL --operations)`);
    return new QueueRunner(queue, redis, sub, queueConnection, queueName, onLog);
  }

  submit(job: Job, handlers: JobHandlers): void {
    this.tracked.set(job.id, { handlers, started: false });
    this.queue.add(OPERATION_JOB, job, { jobId: job.id, attempts: 1, removeOnComplete: 1000, removeOnFail: 1000 }).catch((e: Error) => {
      this.onLog(`operation ${job.id} could not be queued (${e.message})`);
      if (this.tracked.delete(job.id)) handlers.onExit(1, null);
    });
  }

  dequeue(id: string): boolean {
    const t = this.tracked.get(id);
    if (t === undefined || t.started) return false;
    this.tracked.delete(id);
    // A worker that took it meanwhile finds it cancelled in the shared queue file and skips it.
    this.queue.remove(id).catch(() => undefined);
    return true;
  }

  cancel(id: string, reason: string): boolean {
    const t = this.tracked.get(id);
    if (t === undefined || !t.started) return false;
    this.redis.publish(controlChannel(this.queueName), JSON.stringify({ op: id, reason } satisfies OperationControl)).catch(() => undefined);
    return true;
  }

  isQueued(id: string): boolean {
    const t = this.tracked.get(id);
    return t !== undefined && !t.started;
  }

  isActive(id: string): boolean {
    return this.tracked.get(id)?.started === true;
  }

  pid(id: string): number | undefined {
    return this.tracked.get(id)?.pid;
  }

  async close(): Promise<void> {
    this.tracked.clear();
    await this.queue.close().catch(() => undefined);
    // BullMQ leaves a connection it was given open: ours to close.
    for (const c of [this.queueConnection, this.sub, this.redis]) c.disconnect();
  }

  private onEvent(e: OperationEvent): void {
    const t = this.tracked.get(e.op);
    if (t === undefined) return;
    if ("exit" in e) {
      this.tracked.delete(e.op);
      t.handlers.onExit(e.exit.code, e.exit.signal);
      return;
    }
    // Any message means a worker's operation process has the job.
    t.started = true;
    if (e.message.type === "started") t.pid = e.message.pid;
    t.handlers.onMessage(e.message);
  }
}
