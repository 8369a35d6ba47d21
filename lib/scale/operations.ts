/**
 * Whole operations (backtest, training, optimisation) on the Redis queue, worker side:
 * `stratlab worker --operations` takes the jobs `stratlab serve --redis URL` enqueues, one at
 * a time, and runs each in the same worker process the local service forks
 * (lib/serve/worker.ts, the same dispatch table), on the checkpoint root the job names: a
 * folder every machine mounts at the same path. Progress and the end go back to the server
 * over Redis pub/sub; a cancel comes the same way (and as the cancel-request file on the shared
 * root).
 *
 * A worker killed mid-operation: its operation process sees its parent go, saves a
 * cancellation checkpoint and stops (shown as interrupted); BullMQ's stalled-job recovery hands
 * the job to another worker, which finds the operation recorded and continues it from its last
 * checkpoint as a new operation (`resumed_from`), whose result equals an uninterrupted run's.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hostname } from "node:os";
import type { Job as QueueJob } from "bullmq";
import type { Redis } from "ioredis";
import { isRunning, newOperationId, OperationRegistry, type OperationRecord } from "../checkpoint";
import { JobQueue } from "../serve/queue";
import { WORKER_SCRIPT } from "../serve/runner";
import { registryType, type Job, type ServerMessage, type WorkerMessage } from "../serve/types";
import { connectReachable, connectRedis, maskRedisUrl, runBullWorker } from "./redis";

export const DEFAULT_OPERATIONS_QUEUE = "stratlab-operations";
export const OPERATION_JOB = "operation";
/** Worker -> server: `OperationEvent`s; server -> workers: `OperationControl`s. */
export const eventsChannel = (queue: string) => `stratlab:ops:${queue}:events`;
export const controlChannel = (queue: string) => `stratlab:ops:${queue}:control`;

/** `op` is the queued operation's id (the BullMQ job id): the server's handlers are keyed by it. */
export type OperationEvent = { op: string; message: WorkerMessage } | { op: string; exit: { code: number | null; signal: NodeJS.Signals | null } };
export interface OperationControl {
  op: string;
  reason: string;
}

/** A pub/sub message as JSON; undefined when it is not (another client on the channel). */
export function parseMessage<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export interface OperationWorkerOptions {
  url: string;
  queue?: string;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Extra environment for operation processes. */
  env?: NodeJS.ProcessEnv;
  onLog: (line: string) => void;
}

export interface OperationWorker {
  /** Operations this worker ran to their end. */
  readonly ran: () => number;
  /** Stops taking operations; a running one saves a cancellation checkpoint (interrupted, resumable). */
  close(): Promise<void>;
}

/** A record still running after this long, whose job BullMQ handed over (its lock lapsed), is taken as dead. */
const HANDOFF_WAIT_MS = 5000;

export async function startOperationWorker(o: OperationWorkerOptions): Promise<OperationWorker> {
  const queueName = o.queue ?? DEFAULT_OPERATIONS_QUEUE;
  const pub: Redis = await connectReachable(o.url);
  const sub = connectRedis(o.url);
  const name = `${hostname()}:${process.pid}`;
  let ran = 0;
  let current: { op: string; child: ChildProcess } | null = null;

  sub.on("message", (_channel: string, text: string) => {
    const c = parseMessage<OperationControl>(text);
    if (c !== undefined && current !== null && current.op === c.op && current.child.connected) current.child.send({ type: "cancel", reason: c.reason } satisfies ServerMessage);
  });
  await sub.subscribe(controlChannel(queueName));
  const publish = (e: OperationEvent) => pub.publish(eventsChannel(queueName), JSON.stringify(e)).then(() => undefined, () => undefined);

  const processJob = async (qj: QueueJob<Job>): Promise<{ status: string; worker: string; id?: string }> => {
    const queued = qj.data;
    if (!existsSync(join(queued.root, "serve", "queue.json"))) {
      // Not the server's folder here: running would record the operation where the server never looks.
      o.onLog(`refused operation ${queued.id}: its checkpoint root ${queued.root} is not the server's here (no serve/queue.json); mount the shared folder at that path`);
      await publish({ op: queued.id, exit: { code: 2, signal: null } });
      return { status: "refused: checkpoint root not shared", worker: name };
    }
    if (new JobQueue(queued.root).find(queued.id)?.cancelled_at !== undefined) {
      await publish({ op: queued.id, exit: { code: 0, signal: null } });
      return { status: "cancelled before it started", worker: name };
    }
    const job = await handedOver(queued, o.onLog);
    if (job === null) {
      await publish({ op: queued.id, exit: { code: 0, signal: null } });
      return { status: "completed elsewhere", worker: name };
    }
    o.onLog(`operation ${job.id} (${job.type}${job.resumeOf ? `, resuming ${job.resumeOf}` : ""}) started`);
    const child = fork(WORKER_SCRIPT, [], { stdio: ["ignore", "ignore", "inherit", "ipc"], env: { ...process.env, ...o.env }, serialization: "json" });
    current = { op: queued.id, child };
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    child.on("message", (m: WorkerMessage) => void publish({ op: queued.id, message: m }));
    child.on("error", () => undefined);
    child.send({ type: "job", job } satisfies ServerMessage);
    const ended = await exit;
    current = null;
    await publish({ op: queued.id, exit: ended });
    ran++;
    o.onLog(`operation ${job.id} ended (${ended.signal ?? `exit ${ended.code}`})`);
    return { status: ended.code === 0 ? "ended" : `process ${ended.signal ?? `exit ${ended.code}`}`, worker: name, id: job.id };
  };

  // One operation at a time per worker process: an operation uses the machine (optimisations have their own pool).
  const worker = await runBullWorker<Job, unknown>(o.url, queueName, OPERATION_JOB, processJob, { ...o, name: `stratlab-operations@${name}`, concurrency: 1 });
  o.onLog(`operation worker ${name} ready: queue "${queueName}" at ${maskRedisUrl(o.url)}`);

  let closing: Promise<void> | null = null;
  return {
    ran: () => ran,
    close: () =>
      (closing ??= (async () => {
        // Disconnecting is what the local service does on the way out: the operation saves a checkpoint and stops.
        if (current !== null && current.child.connected) current.child.disconnect();
        await worker.close();
        sub.disconnect();
        pub.disconnect();
      })()),
  };
}

/**
 * The job to run for a queued operation: itself the first time; when the operation is already
 * recorded (its worker died and BullMQ handed the job over), a resume of the last operation of
 * its chain from its latest checkpoint, under a new id; null when that chain completed.
 */
async function handedOver(queued: Job, onLog: (line: string) => void): Promise<Job | null> {
  const registry = new OperationRegistry({ root: queued.root });
  if (registry.find(queued.id) === undefined) return queued;
  let tail: OperationRecord = registry.find(queued.id)!;
  for (let hops = 0; tail.resumedBy !== undefined && hops < 1000; hops++) {
    const next = registry.find(tail.resumedBy);
    if (next === undefined) break;
    tail = next;
  }
  // The dead worker's operation process saves its cancellation checkpoint as it stops: wait for it.
  const deadline = Date.now() + HANDOFF_WAIT_MS;
  while (isRunning(tail) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    tail = registry.find(tail.id) ?? tail;
  }
  if (tail.status === "completed") return null;
  if (tail.status === "running") registry.finish(tail.id, "failed", "its worker stopped renewing the queue lock; ended without recording an outcome");
  const id = nextId(registry, queued);
  const fresh = queued.type !== "optimisation" && registry.checkpoints.latest(tail.id) === undefined;
  onLog(`operation ${queued.id} was handed over by a worker that stopped: ${fresh ? `starting it again as ${id} (no checkpoint yet)` : `continuing ${tail.id} from its last checkpoint as ${id}`}`);
  if (fresh && queued.kind === "start") return { ...queued, id };
  return { ...queued, id, kind: "resume", request: {}, resumeOf: tail.id };
}

function nextId(registry: OperationRegistry, job: Job): string {
  for (;;) {
    const id = newOperationId(registryType(job.type));
    if (registry.find(id) === undefined) return id;
  }
}
