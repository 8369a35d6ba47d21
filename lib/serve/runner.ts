/**
 * Where operations run: never in the server process. `OperationRunner` is the interface the
 * service uses (a queue-backed runner on other machines can implement it); `ProcessRunner`
 * forks one worker process (worker.ts, from the built package) per operation, at most
 * `workers` at once, and queues the rest in order.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { DIST_DIR } from "../paths";
import type { Job, ServerMessage, WorkerMessage } from "./types";

export interface JobHandlers {
  onMessage(m: WorkerMessage): void;
  /** The process ended: exit code or signal (a crash or kill when no `end` message came first). */
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface OperationRunner {
  /** Runs `job` when a slot is free. */
  submit(job: Job, handlers: JobHandlers): void;
  /** Removes a job that has not started; false when it is not queued. */
  dequeue(id: string): boolean;
  /** Asks a started job to stop (it saves a cancellation checkpoint); false when not started. */
  cancel(id: string, reason: string): boolean;
  isQueued(id: string): boolean;
  isActive(id: string): boolean;
  /** Pid of a started job's process. */
  pid(id: string): number | undefined;
  readonly capacity: number;
  /** Stops taking jobs; waits up to `graceMs` for running ones after asking them to stop. */
  close(graceMs?: number): Promise<void>;
}

export const WORKER_SCRIPT = join(DIST_DIR, "lib", "serve", "worker.js");

export class ProcessRunner implements OperationRunner {
  private readonly queue: { job: Job; handlers: JobHandlers }[] = [];
  private readonly active = new Map<string, ChildProcess>();
  private closed = false;

  constructor(
    readonly capacity: number,
    private readonly options: { script?: string; env?: NodeJS.ProcessEnv } = {},
  ) {}

  submit(job: Job, handlers: JobHandlers): void {
    this.queue.push({ job, handlers });
    this.pump();
  }

  dequeue(id: string): boolean {
    const i = this.queue.findIndex((q) => q.job.id === id);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  cancel(id: string, reason: string): boolean {
    const child = this.active.get(id);
    if (child === undefined) return false;
    if (child.connected) child.send({ type: "cancel", reason } satisfies ServerMessage);
    return true;
  }

  isQueued(id: string): boolean {
    return this.queue.some((q) => q.job.id === id);
  }

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  pid(id: string): number | undefined {
    return this.active.get(id)?.pid;
  }

  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    const exits = [...this.active.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          // Disconnecting is what a dying server does: the worker saves a checkpoint and stops.
          if (c.connected) c.disconnect();
          setTimeout(() => {
            c.kill("SIGKILL");
            resolve();
          }, graceMs).unref();
        }),
    );
    await Promise.all(exits);
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.capacity && this.queue.length > 0) {
      const { job, handlers } = this.queue.shift()!;
      const child = fork(this.options.script ?? WORKER_SCRIPT, [], { stdio: ["ignore", "ignore", "inherit", "ipc"], env: { ...process.env, ...this.options.env }, serialization: "json" });
      this.active.set(job.id, child);
      child.on("message", (m: WorkerMessage) => handlers.onMessage(m));
      child.once("exit", (code, signal) => {
        this.active.delete(job.id);
        handlers.onExit(code, signal);
        this.pump();
      });
      child.on("error", () => {
        /* reported by exit */
      });
      child.send({ type: "job", job } satisfies ServerMessage);
    }
  }
}
