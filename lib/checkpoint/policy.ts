/**
 * When to take a periodic checkpoint: every N units (bars, epochs), every M minutes, or
 * whichever comes first when both are set. With neither set it never checkpoints (the default).
 *
 * Unit thresholds are multiples of N counted from zero, so a run resumed at unit 10,000 with
 * N = 10,000 next checkpoints at 20,000, as the uninterrupted run would have.
 */
import { UsageError } from "../errors";
import { systemClock, type Clock } from "./clock";

/** Plain JSON, so it can travel inside an operation's request. */
export interface CheckpointPolicyConfig {
  everyUnits?: number;
  everyMinutes?: number;
}

export interface PolicyContext {
  /** Units done so far (the bar or epoch just finished). */
  unit: number;
  /** Current time in ms; taken from the policy's clock when absent. */
  now?: number;
}

export class CheckpointPolicy {
  readonly everyUnits: number | undefined;
  readonly everyMs: number | undefined;
  private readonly clock: Clock;
  private nextUnitAt = Infinity;
  private lastAt = 0;

  constructor(config: CheckpointPolicyConfig = {}, options: { clock?: Clock; startUnit?: number } = {}) {
    const { everyUnits, everyMinutes } = config;
    if (everyUnits !== undefined && !(Number.isInteger(everyUnits) && everyUnits > 0)) {
      throw new UsageError(`checkpoint policy everyUnits ${JSON.stringify(everyUnits)} must be a positive integer (units such as bars or epochs)`);
    }
    if (everyMinutes !== undefined && !(Number.isFinite(everyMinutes) && everyMinutes > 0)) {
      throw new UsageError(`checkpoint policy everyMinutes ${JSON.stringify(everyMinutes)} must be a positive number`);
    }
    this.everyUnits = everyUnits;
    this.everyMs = everyMinutes !== undefined ? everyMinutes * 60_000 : undefined;
    this.clock = options.clock ?? systemClock;
    this.start(options.startUnit ?? 0);
  }

  /** A policy that never checkpoints. */
  static never(): CheckpointPolicy {
    return new CheckpointPolicy();
  }

  /** The unit at which the unit rule next fires (Infinity without one). */
  get nextUnit(): number {
    return this.nextUnitAt;
  }

  get enabled(): boolean {
    return this.everyUnits !== undefined || this.everyMs !== undefined;
  }

  get config(): CheckpointPolicyConfig {
    return {
      ...(this.everyUnits !== undefined ? { everyUnits: this.everyUnits } : {}),
      ...(this.everyMs !== undefined ? { everyMinutes: this.everyMs / 60_000 } : {}),
    };
  }

  /** (Re)starts counting: from `unit` (a resumed run) and from now for the timer. */
  start(unit: number, now: number = this.clock.now()): void {
    this.lastAt = now;
    this.nextUnitAt = this.everyUnits !== undefined ? (Math.floor(unit / this.everyUnits) + 1) * this.everyUnits : Infinity;
  }

  shouldCheckpoint(context: PolicyContext): boolean {
    if (context.unit >= this.nextUnitAt) return true;
    if (this.everyMs === undefined) return false;
    return (context.now ?? this.clock.now()) - this.lastAt >= this.everyMs;
  }

  /** A checkpoint was taken at this unit/time: both counters restart from here. */
  recordCheckpoint(context: PolicyContext): void {
    this.start(context.unit, context.now ?? this.clock.now());
  }

  describe(): string {
    const parts = [
      this.everyUnits !== undefined ? `every ${this.everyUnits} units` : "",
      this.everyMs !== undefined ? `every ${this.everyMs / 60_000} minutes` : "",
    ].filter(Boolean);
    return parts.length ? parts.join(" or ") : "never";
  }
}
