/**
 * The bridge between an engine's loop and the checkpoint service. The engine calls
 * `updateState(unit, buildState)` after each finished unit (bar, epoch); `buildState` is a
 * thunk, so state is only built when a checkpoint is due. The bridge
 *   - asks the policy and saves `periodic` checkpoints (keeping the newest `keepLast`),
 *   - reports progress through a callback (throttled),
 *   - notices cancellation (the token, or a cancel request file polled every `pollEveryMs`)
 *     and then saves a `cancellation` checkpoint from the latest state builder — also when
 *     no periodic checkpoint was taken yet — and throws CancelledError.
 *
 * Contract for `buildState`: it must return the state as of `unit` (plain JSON). The bridge may
 * call the latest builder later, at cancellation, so the engine stops only at unit
 * boundaries: check cancellation through `updateState`, `throwIfCancelled()` or
 * `yieldToEventLoop()` of the bridge, which save first.
 */
import { existsSync, readFileSync } from "node:fs";
import { CancelledError } from "../errors";
import { CancellationToken } from "./cancellation";
import { systemClock, type Clock } from "./clock";
import { CheckpointPolicy, type CheckpointPolicyConfig } from "./policy";
import type { CheckpointService } from "./service";
import type { Artifacts, CheckpointMeta } from "./types";

export type ProgressKind = "progress" | "checkpoint" | "cancelled" | "final";

export interface ProgressEvent {
  kind: ProgressKind;
  operationId: string;
  /** Units done. */
  unit: number;
  /** Units in all, when known; `fraction` is unit / total. */
  total?: number;
  fraction?: number;
  elapsedMs: number;
  /** The checkpoint just saved (kind checkpoint, cancelled, final). */
  checkpoint?: CheckpointMeta;
}

export interface ProgressBridgeOptions {
  checkpoints: CheckpointService;
  operationId: string;
  /** When to take periodic checkpoints (default: never). */
  policy?: CheckpointPolicy | CheckpointPolicyConfig;
  /** Default: a fresh token (cancel it with `bridge.token.cancel()`). */
  token?: CancellationToken;
  onProgress?: (event: ProgressEvent) => void;
  /** Minimum time between `progress` events (default 500 ms; 0: every update). */
  progressEveryMs?: number;
  total?: number;
  /** The unit the work starts from (a resumed run); the policy counts from it. */
  startUnit?: number;
  /** Periodic checkpoints kept for this operation, newest first (default 2). */
  keepLast?: number;
  /** A file whose appearance cancels the operation (written by `stratlab operations cancel`). */
  cancelRequestFile?: string;
  /** How often the cancel request file is looked for (default 250 ms). */
  pollEveryMs?: number;
  /** Minimum time between real yields in `yieldToEventLoop` (default 50 ms). */
  yieldEveryMs?: number;
  clock?: Clock;
}

type StateBuilder = () => unknown;

const MAX_STRIDE = 1024;
type ArtifactsBuilder = () => Artifacts;

export class ProgressBridge {
  readonly operationId: string;
  readonly token: CancellationToken;
  readonly policy: CheckpointPolicy;
  private readonly checkpoints: CheckpointService;
  private readonly clock: Clock;
  private readonly onProgress: ((e: ProgressEvent) => void) | undefined;
  private readonly progressEveryMs: number;
  private readonly keepLast: number;
  private readonly cancelRequestFile: string | undefined;
  private readonly pollEveryMs: number;
  private readonly yieldEveryMs: number;
  private readonly startedAt: number;
  private total: number | undefined;

  private unit: number;
  private buildState: StateBuilder | undefined;
  private buildArtifacts: ArtifactsBuilder | undefined;
  /** State built for a periodic checkpoint at `builtUnit`, reused if cancelled at the same unit. */
  private built: { unit: number; state: unknown; artifacts: Artifacts } | undefined;
  private nextProgressAt = 0;
  private stride = 1;
  private countdown = 1;
  private lastClockAt: number;
  private nextPollAt = 0;
  private lastYieldAt: number;
  private saved: CheckpointMeta[] = [];
  private cancellation: { meta: CheckpointMeta | undefined; error?: string } | undefined;

  constructor(options: ProgressBridgeOptions) {
    this.checkpoints = options.checkpoints;
    this.operationId = options.operationId;
    this.clock = options.clock ?? systemClock;
    this.policy = options.policy instanceof CheckpointPolicy ? options.policy : new CheckpointPolicy(options.policy ?? {}, { clock: this.clock });
    this.token = options.token ?? new CancellationToken();
    this.onProgress = options.onProgress;
    this.progressEveryMs = options.progressEveryMs ?? 500;
    this.total = options.total;
    this.keepLast = Math.max(1, options.keepLast ?? 2);
    this.cancelRequestFile = options.cancelRequestFile;
    this.pollEveryMs = options.pollEveryMs ?? 250;
    this.yieldEveryMs = options.yieldEveryMs ?? 50;
    this.unit = options.startUnit ?? 0;
    this.startedAt = this.clock.now();
    this.lastYieldAt = this.startedAt;
    this.lastClockAt = this.startedAt;
    // A policy built here counts from startUnit; a policy handed in keeps its own start unless one is given.
    if (!(options.policy instanceof CheckpointPolicy) || options.startUnit !== undefined) this.policy.start(this.unit, this.startedAt);
  }

  /** Units done so far (the last `updateState`). */
  get currentUnit(): number {
    return this.unit;
  }

  /** Checkpoints this bridge saved, oldest first. */
  get savedCheckpoints(): readonly CheckpointMeta[] {
    return this.saved;
  }

  /** The cancellation checkpoint, once saved. */
  get cancellationCheckpoint(): CheckpointMeta | undefined {
    return this.cancellation?.meta;
  }

  setTotal(total: number): void {
    this.total = total;
  }

  /**
   * After each finished unit. Saves a periodic checkpoint when the policy says so; on
   * cancellation saves a cancellation checkpoint and throws CancelledError.
   */
  updateState(unit: number, buildState: StateBuilder, buildArtifacts?: ArtifactsBuilder): void {
    this.unit = unit;
    this.buildState = buildState;
    this.buildArtifacts = buildArtifacts;
    if (this.token.isCancelled) this.cancelNow();
    // Fast path: no unit threshold reached and not yet time to look at the clock.
    if (--this.countdown > 0 && unit < this.policy.nextUnit) return;
    const now = this.clock.now();
    this.adaptStride(now);
    if (this.built !== undefined && this.built.unit !== unit) this.built = undefined;
    if (now >= this.nextPollAt) this.pollCancelRequest(now);
    if (this.token.isCancelled) this.cancelNow();
    if (this.policy.shouldCheckpoint({ unit, now })) {
      const meta = this.save("periodic");
      this.policy.recordCheckpoint({ unit, now });
      this.prune();
      this.emit("checkpoint", now, meta);
    } else if (this.onProgress !== undefined && now >= this.nextProgressAt) {
      this.emit("progress", now);
    }
  }

  /** Throws CancelledError (after saving the cancellation checkpoint) when cancelled. */
  throwIfCancelled(): void {
    const now = this.clock.now();
    if (now >= this.nextPollAt) this.pollCancelRequest(now);
    if (this.token.isCancelled) this.cancelNow();
  }

  /**
   * Lets the event loop run (signals, timers, notebook I/O) at most every `yieldEveryMs`,
   * then checks cancellation. Call it every few hundred units from an async loop.
   */
  async yieldToEventLoop(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastYieldAt >= this.yieldEveryMs) {
      this.lastYieldAt = now;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.throwIfCancelled();
  }

  /**
   * Saves the cancellation checkpoint from the latest state builder (once). Returns undefined
   * when no state was ever reported (cancelled before the first unit).
   */
  saveCancellation(): CheckpointMeta | undefined {
    if (this.cancellation !== undefined) return this.cancellation.meta;
    if (this.buildState === undefined) {
      this.cancellation = { meta: undefined };
      return undefined;
    }
    try {
      const meta = this.save("cancellation");
      this.cancellation = { meta };
      this.emit("cancelled", this.clock.now(), meta);
      return meta;
    } catch (e) {
      this.cancellation = { meta: undefined, error: (e as Error).message };
      return undefined;
    }
  }

  /** Saves a `final` checkpoint (e.g. the finished model). */
  saveFinal(state: unknown, artifacts?: Artifacts, unit: number = this.unit): CheckpointMeta {
    this.unit = unit;
    const meta = this.checkpoints.save(this.operationId, "final", state, artifacts, { unit });
    this.saved.push(meta);
    this.emit("final", this.clock.now(), meta);
    return meta;
  }

  /** Saves the cancellation checkpoint and throws the CancelledError describing it. */
  cancelNow(): never {
    this.saveCancellation();
    throw this.cancelledError();
  }

  /** The CancelledError for the current cancellation: reason, unit, checkpoint, how to resume. */
  cancelledError(): CancelledError {
    const reason = this.token.reason ?? "cancelled";
    const c = this.cancellation;
    const at = `operation ${this.operationId} cancelled (${reason})`;
    const resume = `stratlab operations resume ${this.operationId}`;
    const base = { operation_id: this.operationId, reason };
    if (c?.meta) return new CancelledError(`${at} at unit ${c.meta.unit}; saved checkpoint ${c.meta.id}; resume with: ${resume}`, { ...base, checkpoint_id: c.meta.id, unit: c.meta.unit ?? null, resume_command: resume });
    const previous = this.saved.filter((m) => m.type === "periodic").pop();
    const fallback = previous ? `; the last periodic checkpoint is ${previous.id} at unit ${previous.unit}` : "; nothing to resume from";
    const from = previous ? { checkpoint_id: previous.id, unit: previous.unit ?? null, resume_command: resume } : { checkpoint_id: null, unit: null, resume_command: null };
    if (c?.error) return new CancelledError(`${at}; saving the cancellation checkpoint failed (${c.error})${fallback}`, { ...base, ...from });
    return new CancelledError(`${at} before any progress was reported${fallback}`, { ...base, ...from });
  }

  private save(type: "periodic" | "cancellation"): CheckpointMeta {
    let state: unknown;
    let artifacts: Artifacts;
    if (this.built !== undefined && this.built.unit === this.unit) {
      ({ state, artifacts } = this.built);
    } else {
      state = this.buildState!();
      artifacts = this.buildArtifacts ? this.buildArtifacts() : {};
      this.built = { unit: this.unit, state, artifacts };
    }
    const meta = this.checkpoints.save(this.operationId, type, state, artifacts, { unit: this.unit });
    this.saved.push(meta);
    return meta;
  }

  /** Keeps the newest `keepLast` periodic checkpoints of this operation. */
  private prune(): void {
    const periodic = this.checkpoints.list({ operationId: this.operationId, type: "periodic" });
    for (const old of periodic.slice(0, Math.max(0, periodic.length - this.keepLast))) this.checkpoints.delete(old.id);
  }

  /**
   * Reading the clock costs more than a fast unit (a bar), so the clock is read every `stride`
   * updates, the stride adapting so reads happen about every 1-5 ms: slow units (epochs) read it
   * every time, fast ones every few hundred. Time rules (policy minutes, progress, cancel
   * polling) are therefore late by a few milliseconds at most.
   */
  private adaptStride(now: number): void {
    const dt = now - this.lastClockAt;
    this.lastClockAt = now;
    if (dt < 1) this.stride = Math.min(this.stride * 2, MAX_STRIDE);
    else if (dt > 5) this.stride = Math.max(1, this.stride >> 1);
    this.countdown = this.stride;
  }

  private pollCancelRequest(now: number): void {
    this.nextPollAt = now + this.pollEveryMs;
    if (this.cancelRequestFile === undefined || this.token.isCancelled || !existsSync(this.cancelRequestFile)) return;
    this.token.cancel(describeCancelRequest(this.cancelRequestFile));
  }

  private emit(kind: ProgressKind, now: number, checkpoint?: CheckpointMeta): void {
    if (this.onProgress === undefined) return;
    this.nextProgressAt = now + this.progressEveryMs;
    const total = this.total;
    this.onProgress({
      kind,
      operationId: this.operationId,
      unit: this.unit,
      ...(total !== undefined ? { total, fraction: total > 0 ? this.unit / total : 1 } : {}),
      elapsedMs: now - this.startedAt,
      ...(checkpoint ? { checkpoint } : {}),
    });
  }
}

/** The reason recorded in a cancel request file, for messages. */
export function describeCancelRequest(file: string): string {
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as { pid?: number; reason?: string };
    return r.reason ?? `cancel requested by pid ${r.pid}`;
  } catch {
    return "cancel requested";
  }
}
