/**
 * The operations registry (`<root>/operations.json`, lowdb): every long-running operation
 * (backtest, training, optimisation) with its status, request, pid and resume links, and the
 * verbs on it:
 *
 *   run(options, body)     record a running operation, give `body` a token and a progress
 *                          bridge, record how it ended (completed | cancelled | failed)
 *   cancel(id)             ask a running operation, possibly in another process, to stop
 *   resume(id, runner?)    continue a cancelled or failed operation from its latest checkpoint
 *                          as a new operation (`resumedFrom`); the runner is the caller's or
 *                          the one registered for the type with `registerResumer`
 *
 * Cancel across processes: `cancel` writes `<root>/<id>/cancel-requested`; the running
 * process notices it within ~250 ms (its bridge polls it on `updateState`, a timer polls it
 * while the event loop runs), saves a cancellation checkpoint and ends as `cancelled`. A file
 * works where a signal would not: in a notebook kernel (SIGTERM would kill the kernel), in a
 * synchronous loop that never yields, on a shared filesystem. `{ signal: true }` also sends
 * SIGTERM, for a process stuck where it polls nothing.
 */
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CancelledError, formatError, RunError, UsageError } from "../errors";
import { writeFileAtomic } from "../io/atomic";
import { CancellationToken } from "./cancellation";
import type { Clock } from "./clock";
import { CheckpointPolicy, type CheckpointPolicyConfig } from "./policy";
import { describeCancelRequest, ProgressBridge, type ProgressEvent } from "./progress-bridge";
import { CANCEL_REQUEST_FILE, CheckpointService, checkName, type LoadedCheckpoint } from "./service";
import { HOST, LockFile } from "./store/lock-file";
import { effectiveStatus, isRunning, OperationStore } from "./store/operation-store";
import type { CheckpointMeta, OperationRecord, OperationStatus, OperationType } from "./types";
import { OPERATION_TYPES } from "./types";

/** What a body gets from `run`. */
export interface OperationContext {
  operation: OperationRecord;
  /** Cancelled by SIGINT/SIGTERM, a cancel request, or the caller's own token. */
  token: CancellationToken;
  checkpoints: CheckpointService;
  /** The operation's progress bridge, created on the first call (later calls return it). */
  bridge(settings?: BridgeSettings): ProgressBridge;
}

export interface BridgeSettings {
  policy?: CheckpointPolicy | CheckpointPolicyConfig;
  total?: number;
  /** Default: 0, or the restored checkpoint's unit in a resume. */
  startUnit?: number;
  keepLast?: number;
  progressEveryMs?: number;
  /** Minimum time between real yields of `yieldToEventLoop` (default 50 ms; 0: every call). */
  yieldEveryMs?: number;
  /** Default: the run's onProgress. */
  onProgress?: (event: ProgressEvent) => void;
}

export interface RunOptions {
  type: OperationType;
  /** The request as plain JSON: what a resumer needs to rebuild the work. */
  request: unknown;
  /** A token of the caller's (e.g. a notebook's) whose cancellation cancels the operation. */
  token?: CancellationToken;
  /** Install SIGINT/SIGTERM handlers while running (default true). */
  signals?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** Keep periodic and cancellation checkpoints after success (default false: only `final` ones stay). */
  keepCheckpoints?: boolean;
  /** Set by resume. */
  resumedFrom?: string;
  /** Default startUnit for the bridge (set by resume to the checkpoint's unit). */
  startUnit?: number;
}

export interface OperationOutcome<T> {
  operation: OperationRecord;
  result: T;
}

export interface ResumeContext extends OperationContext {
  /** The operation being continued. */
  original: OperationRecord;
  /** Its latest checkpoint, verified. */
  checkpoint: LoadedCheckpoint;
}

export type Resumer<T = unknown> = (ctx: ResumeContext) => Promise<T> | T;

export interface ResumeOutcome<T> extends OperationOutcome<T> {
  resumedFrom: OperationRecord;
  checkpoint: CheckpointMeta;
  /** Checkpoints of the original (and of the operations it continued) deleted after success. */
  deletedCheckpoints: string[];
}

export interface CancelRequest {
  operation: OperationRecord;
  requestFile: string;
  signalled: boolean;
}

const resumers = new Map<OperationType, Resumer>();

/** Registers how operations of `type` are resumed (the backtest module registers `backtesting`). */
export function registerResumer(type: OperationType, fn: Resumer): void {
  if (!OPERATION_TYPES.includes(type)) throw new UsageError(`operation type ${JSON.stringify(type)} must be one of ${OPERATION_TYPES.join(", ")}`);
  resumers.set(type, fn);
}

export function getResumer(type: OperationType): Resumer | undefined {
  return resumers.get(type);
}

const ID_PREFIX: Record<OperationType, string> = { backtesting: "bt", training: "tr", optimisation: "opt" };
const CANCEL_POLL_MS = 250;

export interface OperationRegistryOptions {
  root?: string;
  clock?: Clock;
  /** Share a service (its root wins). */
  checkpoints?: CheckpointService;
  /**
   * The id of the next operation `start` records (default: a fresh `newOperationId`). A server
   * that answers with an operation's id before its worker process starts it passes that id here.
   */
  nextId?: (type: OperationType) => string | undefined;
}

/** A fresh operation id: `<bt|tr|opt>-<UTC stamp>-<4 hex>`. */
export function newOperationId(type: OperationType, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${ID_PREFIX[type]}-${stamp}-${randomBytes(2).toString("hex")}`;
}

export class OperationRegistry {
  readonly root: string;
  readonly checkpoints: CheckpointService;
  readonly store: OperationStore;
  private readonly clock: Clock | undefined;
  private readonly nextId: OperationRegistryOptions["nextId"];

  constructor(options: OperationRegistryOptions = {}) {
    this.nextId = options.nextId;
    this.checkpoints = options.checkpoints ?? new CheckpointService({ ...(options.root !== undefined ? { root: options.root } : {}), ...(options.clock ? { clock: options.clock } : {}) });
    this.root = this.checkpoints.root;
    this.store = this.checkpoints.operations;
    this.clock = options.clock ?? this.checkpoints.clock;
  }

  /** The record; UsageError naming the registry when unknown. */
  get(id: string): OperationRecord {
    this.store.reconcile(this.now());
    return this.store.get(id);
  }

  find(id: string): OperationRecord | undefined {
    return this.store.find(id);
  }

  list(filter: { type?: OperationType; status?: OperationStatus } = {}): OperationRecord[] {
    this.store.reconcile(this.now());
    return this.store.all().filter((o) => (filter.type === undefined || o.type === filter.type) && (filter.status === undefined || o.status === filter.status));
  }

  /** Records a new running operation of this process. Prefer `run`, which also ends it. */
  start(type: OperationType, request: unknown, options: { resumedFrom?: string } = {}): OperationRecord {
    if (!OPERATION_TYPES.includes(type)) throw new UsageError(`operation type ${JSON.stringify(type)} must be one of ${OPERATION_TYPES.join(", ")}`);
    const now = this.now();
    const id = this.nextId?.(type) ?? newOperationId(type, now);
    checkName(id, "operation id");
    const record: OperationRecord = {
      id,
      type,
      status: "running",
      request: request === undefined ? null : JSON.parse(JSON.stringify(request)),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      ...(options.resumedFrom !== undefined ? { resumedFrom: options.resumedFrom } : {}),
      pid: process.pid,
      host: HOST,
    };
    this.store.add(record);
    if (options.resumedFrom !== undefined) this.store.patch(options.resumedFrom, { resumedBy: id }, now);
    return record;
  }

  /** Records how an operation ended. */
  finish(id: string, status: Exclude<OperationStatus, "running">, error?: string): OperationRecord {
    return this.store.patch(id, { status, ...(error !== undefined ? { error } : {}) }, this.now());
  }

  /** `<root>/<id>/cancel-requested` */
  cancelRequestPath(id: string): string {
    checkName(id, "operation id");
    return join(this.root, id, CANCEL_REQUEST_FILE);
  }

  /**
   * Asks a running operation to stop: writes its cancel request file (see the file header);
   * with `signal`, also sends SIGTERM to its process (same host only).
   */
  cancel(id: string, options: { signal?: boolean; reason?: string } = {}): CancelRequest {
    const op = this.get(id);
    if (op.status !== "running") throw new UsageError(`operation ${id} is not running (status ${op.status}); nothing to cancel`);
    const requestFile = this.cancelRequestPath(id);
    const reason = options.reason ?? `cancel requested by pid ${process.pid} (stratlab operations cancel)`;
    writeFileAtomic(requestFile, JSON.stringify({ requestedAt: this.now().toISOString(), pid: process.pid, host: HOST, reason }) + "\n");
    let signalled = false;
    if (options.signal) {
      if (op.host !== HOST) throw new UsageError(`operation ${id} runs on ${op.host}; a signal cannot be sent from ${HOST} (the cancel request file was written)`);
      try {
        process.kill(op.pid, "SIGTERM");
        signalled = true;
      } catch {
        /* gone meanwhile */
      }
    }
    return { operation: op, requestFile, signalled };
  }

  /** Polls until the operation is no longer running or `timeoutMs` passes; returns the record. */
  async waitForEnd(id: string, timeoutMs: number, pollMs = 100): Promise<OperationRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const op = this.store.get(id);
      if (effectiveStatus(op) !== "running" || Date.now() >= deadline) return this.get(id);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /**
   * Runs `body` as a recorded operation: status running (with this pid) while it runs, then
   * completed, cancelled (after saving a cancellation checkpoint from the bridge's latest
   * state) or failed. Rethrows the body's error; a cancellation surfaces as CancelledError
   * naming the checkpoint and how to resume.
   */
  async run<T>(options: RunOptions, body: (ctx: OperationContext) => Promise<T> | T): Promise<OperationOutcome<T>> {
    const record = this.start(options.type, options.request, options.resumedFrom !== undefined ? { resumedFrom: options.resumedFrom } : {});
    const token = options.signals === false ? CancellationToken.linked(options.token) : CancellationToken.fromSignals({ ...(options.token ? { parent: options.token } : {}) });
    const requestFile = this.cancelRequestPath(record.id);
    const poll = setInterval(() => {
      if (!token.isCancelled && existsSync(requestFile)) token.cancel(describeCancelRequest(requestFile));
    }, CANCEL_POLL_MS);
    poll.unref();
    let bridge: ProgressBridge | undefined;
    const ctx: OperationContext = {
      operation: record,
      token,
      checkpoints: this.checkpoints,
      bridge: (s = {}) =>
        (bridge ??= new ProgressBridge({
          checkpoints: this.checkpoints,
          operationId: record.id,
          token,
          cancelRequestFile: requestFile,
          startUnit: s.startUnit ?? options.startUnit ?? 0,
          ...(s.policy !== undefined ? { policy: s.policy } : {}),
          ...(s.total !== undefined ? { total: s.total } : {}),
          ...(s.keepLast !== undefined ? { keepLast: s.keepLast } : {}),
          ...(s.progressEveryMs !== undefined ? { progressEveryMs: s.progressEveryMs } : {}),
          ...(s.yieldEveryMs !== undefined ? { yieldEveryMs: s.yieldEveryMs } : {}),
          ...((s.onProgress ?? options.onProgress) ? { onProgress: s.onProgress ?? options.onProgress } : {}),
          ...(this.clock ? { clock: this.clock } : {}),
        })),
    };
    try {
      const result = await body(ctx);
      if (options.keepCheckpoints !== true) {
        const mine = this.checkpoints.list({ operationId: record.id });
        if (mine.every((c) => c.type !== "final")) this.checkpoints.deleteOperation(record.id);
        else for (const c of mine) if (c.type !== "final") this.checkpoints.delete(c.id);
      }
      return { operation: this.finish(record.id, "completed"), result };
    } catch (e) {
      if (e instanceof CancelledError) {
        const err = bridge ? (bridge.saveCancellation(), bridge.cancelledError()) : e;
        this.finish(record.id, "cancelled", err.message);
        throw err;
      }
      this.finish(record.id, "failed", formatError(e));
      throw e;
    } finally {
      clearInterval(poll);
      token.dispose();
      rmSync(requestFile, { force: true });
    }
  }

  /**
   * Continues operation `id` from its latest checkpoint as a new operation linked to it.
   * The checkpoint is verified first (a missing or corrupt file: CheckpointError, nothing
   * deleted, no new operation). A second resume of the same operation while one runs fails
   * (lock file `<root>/.locks/<id>.resume.lock`). On success the checkpoints of `id` and of
   * the operations it continued are deleted.
   */
  async resume<T = unknown>(id: string, runner?: Resumer<T>, options: Omit<RunOptions, "type" | "request" | "resumedFrom" | "startUnit"> = {}): Promise<ResumeOutcome<T>> {
    checkName(id, "operation id");
    const lockPath = join(this.root, ".locks", `${id}.resume.lock`);
    const lock = LockFile.tryAcquire(lockPath, `resume ${id}`);
    if (!(lock instanceof LockFile)) {
      const h = lock.heldBy;
      throw new RunError(`operation ${id} is already being resumed${h ? ` by pid ${h.pid} on ${h.host} since ${h.acquiredAt}` : ""} (lock ${lockPath}); wait for it to end or cancel it with: stratlab operations cancel <its id>`);
    }
    try {
      const original = this.get(id);
      if (original.status === "running") throw new RunError(`operation ${id} is still running (pid ${original.pid} on ${original.host}); cancel it first: stratlab operations cancel ${id}`);
      if (original.status === "completed") throw new RunError(`operation ${id} completed; there is nothing to resume`);
      if (original.resumedBy !== undefined) {
        const next = this.store.find(original.resumedBy);
        if (next !== undefined && (next.status === "running" || next.status === "completed" || this.checkpoints.latest(next.id) !== undefined)) {
          throw new RunError(`operation ${id} was resumed as ${next.id} (${next.status}); ${next.status === "completed" ? "there is nothing left to resume" : `resume ${next.id} instead`}`);
        }
      }
      const fn = (runner ?? resumers.get(original.type)) as Resumer<T> | undefined;
      if (fn === undefined) throw new UsageError(`no resumer is registered for ${original.type} operations; the module that runs them must call registerResumer("${original.type}", ...)`);
      const checkpoint = this.checkpoints.loadLatest(id);
      const outcome = await this.run<T>(
        { ...options, type: original.type, request: original.request, resumedFrom: id, ...(checkpoint.meta.unit !== undefined ? { startUnit: checkpoint.meta.unit } : {}) },
        (ctx) => fn({ ...ctx, original, checkpoint }),
      );
      const deletedCheckpoints: string[] = [];
      for (let cur: OperationRecord | undefined = original, hops = 0; cur !== undefined && hops < 1000; hops++) {
        for (const c of this.checkpoints.deleteOperation(cur.id)) deletedCheckpoints.push(c.id);
        cur = cur.resumedFrom !== undefined ? this.store.find(cur.resumedFrom) : undefined;
      }
      return { ...outcome, resumedFrom: this.store.get(id), checkpoint: checkpoint.meta, deletedCheckpoints };
    } finally {
      lock.release();
    }
  }

  private now(): Date {
    return new Date(this.clock ? this.clock.now() : Date.now());
  }
}

export { effectiveStatus, isRunning };
