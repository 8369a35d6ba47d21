/**
 * `backtest(request)`: the resumable bar-by-bar backtest as a recorded operation of type
 * `backtesting` (operations.json), checkpointed by policy (default every 10,000 bars) and on
 * cancel (Ctrl-C, SIGTERM, a notebook interrupt, `stratlab operations cancel`, a token,
 * `stopAfterBars`). On success the operation's periodic and cancellation checkpoints are
 * deleted and the result is kept as a `final` checkpoint. A cancelled run throws
 * CancelledError naming the checkpoint and the command that resumes it.
 */
import type { CheckpointMeta } from "../checkpoint";
import { tradeSizeWarnings } from "../costs/cost-table";
import { warmupWarnings } from "../strategies/params";
import { prepareBacktest, type BacktestRequest } from "./inputs";
import { engineFor, runLoop, withRate } from "./loop";
import { findResumableBacktest, registryOf, resumeBacktest, type BacktestOutcome, type BacktestRunOptions } from "./resume";

export interface BacktestOptions extends BacktestRunOptions {
  /**
   * Continue the newest cancelled or failed backtest of the same run, if there is one,
   * instead of starting over: re-running a notebook cell picks up where it stopped.
   */
  resume?: boolean;
}

export async function backtest(request: BacktestRequest, opts: BacktestOptions = {}): Promise<BacktestOutcome> {
  const inputs = prepareBacktest(request, opts);
  const registry = registryOf(opts);
  if (opts.resume === true) {
    const previous = findResumableBacktest(inputs.spec, { registry });
    if (previous !== undefined) return resumeBacktest(previous.id, { ...opts, registry }, inputs);
  }
  let final: CheckpointMeta | undefined;
  const { operation, result } = await registry.run(
    {
      type: "backtesting",
      request: inputs.spec,
      ...(opts.token !== undefined ? { token: opts.token } : {}),
      ...(opts.signals !== undefined ? { signals: opts.signals } : {}),
    },
    (ctx) => {
      // Said once the operation runs, so a failure to start stays one line.
      for (const w of [...warmupWarnings(inputs.strategy, inputs.params, inputs.bars.length), ...tradeSizeWarnings(inputs.costs, [inputs.spec.tradeSize])]) opts.onWarning?.(w);
      const engine = engineFor(inputs);
      const onProgress = withRate(opts.onProgress, 0);
      const bridge = ctx.bridge({
        policy: inputs.spec.checkpoint,
        total: engine.n,
        ...(opts.keepLast !== undefined ? { keepLast: opts.keepLast } : {}),
        ...(opts.progressEveryMs !== undefined ? { progressEveryMs: opts.progressEveryMs } : {}),
        ...(onProgress !== undefined ? { onProgress } : {}),
      });
      return runLoop(ctx, bridge, engine, inputs, { ...opts, onFinal: (m) => (final = m) });
    },
  );
  return { operation, result, ...(final ? { final } : {}) };
}
