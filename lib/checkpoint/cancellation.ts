/**
 * A cancellation token: cancelled by code (`cancel(reason)`), by SIGINT/SIGTERM
 * (`CancellationToken.fromSignals()`), or by a cancel request from another process (the
 * operations registry polls `<root>/<operation>/cancel-requested` and cancels the token).
 *
 * Signals: the first SIGINT/SIGTERM cancels the token and removes this token's handlers at
 * once, so a second Ctrl-C gets Node's default behaviour and kills a stuck process. In a
 * tslab notebook the kernel turns "interrupt" into SIGINT and has its own SIGINT listener
 * (it rejects the running cell); ours runs beside it, so the same token serves a notebook cell,
 * and a second interrupt reaches tslab again rather than killing the kernel.
 *
 * Signals are delivered by the event loop: a long synchronous loop must yield now and then
 * (`await bridge.yieldToEventLoop()`) for a Ctrl-C to be seen.
 */
import { CancelledError } from "../errors";

export type CancelListener = (reason: string) => void;

export class CancellationToken {
  private _reason: string | undefined;
  private listeners: CancelListener[] = [];
  private disposers: (() => void)[] = [];

  /** A token cancelled when any parent is (a notebook's own token plus the operation's). */
  static linked(...parents: (CancellationToken | undefined)[]): CancellationToken {
    const token = new CancellationToken();
    for (const p of parents) {
      if (p === undefined) continue;
      if (p.isCancelled) token.cancel(p.reason);
      else token.disposers.push(p.onCancel((r) => token.cancel(r)));
    }
    return token;
  }

  /**
   * A token cancelled by the first of `signals` (default SIGINT and SIGTERM). Handlers are
   * removed on the first signal and on `dispose()`; call `dispose()` when the work ends.
   */
  static fromSignals(options: { signals?: NodeJS.Signals[]; parent?: CancellationToken } = {}): CancellationToken {
    const token = CancellationToken.linked(options.parent);
    const signals = options.signals ?? ["SIGINT", "SIGTERM"];
    const handler = (signal: NodeJS.Signals) => {
      remove();
      token.cancel(`received ${signal}${signal === "SIGINT" ? " (Ctrl-C or notebook interrupt)" : ""}`);
    };
    let installed = true;
    const remove = () => {
      if (!installed) return;
      installed = false;
      for (const s of signals) process.removeListener(s, handler);
    };
    for (const s of signals) process.on(s, handler);
    token.disposers.push(remove);
    return token;
  }

  get isCancelled(): boolean {
    return this._reason !== undefined;
  }

  /** Why it was cancelled (the first reason given). */
  get reason(): string | undefined {
    return this._reason;
  }

  /** Cancels (idempotent: the first reason is kept) and tells every listener once. */
  cancel(reason = "cancelled by code"): void {
    if (this._reason !== undefined) return;
    this._reason = reason;
    const ls = this.listeners;
    this.listeners = [];
    for (const l of ls) l(reason);
  }

  /** Calls `listener` on cancellation (at once if already cancelled); returns an unsubscribe. */
  onCancel(listener: CancelListener): () => void {
    if (this._reason !== undefined) {
      listener(this._reason);
      return () => {};
    }
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  throwIfCancelled(): void {
    if (this._reason !== undefined) throw new CancelledError(`cancelled: ${this._reason}`);
  }

  /** Removes signal handlers and links to parents. The cancelled state stays readable. */
  dispose(): void {
    const ds = this.disposers;
    this.disposers = [];
    for (const d of ds) d();
  }
}
