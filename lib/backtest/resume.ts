/**
 * Resuming backtests: continue an operation from its latest checkpoint (`resumeBacktest`),
 * find the one to continue for a request (`findResumableBacktest`), and the resumer
 * registered for `backtesting` operations, which `stratlab operations resume ID` dispatches
 * to. Importing this module registers it.
 */
import { OperationRegistry, registerResumer, type CancellationToken, type CheckpointMeta, type OperationRecord, type ResumeContext } from "../checkpoint";
import { CheckpointError, UsageError } from "../errors";
import type { BacktestResult } from "./engine";
import { checkSpec, reloadBacktest, sameRun, type BacktestInputs, type BacktestSpec, type LoadInputsOptions } from "./inputs";
import { engineFor, runLoop, withRate, type BacktestProgress, type LoopOptions } from "./loop";
import { engineStateOf, parseBacktestState } from "./state";

export interface RegistryOptions {
  /** Checkpoint root (default `checkpoints/` of the package). */
  root?: string;
  /** Or a registry (its root wins). */
  registry?: OperationRegistry;
}

export interface BacktestRunOptions extends RegistryOptions, LoadInputsOptions, Omit<LoopOptions, "onFinal"> {
  /** A token of the caller's (a notebook's): cancelling it cancels the backtest. */
  token?: CancellationToken;
  /** Install SIGINT/SIGTERM handlers while running (default true). */
  signals?: boolean;
  onProgress?: (event: BacktestProgress) => void;
  /** Minimum time between progress events (default 500 ms). */
  progressEveryMs?: number;
  /** Periodic checkpoints kept (default 2). */
  keepLast?: number;
}

export interface BacktestOutcome {
  /** The operation that ran (completed). */
  operation: OperationRecord;
  result: BacktestResult;
  /** The `final` checkpoint holding the result (unless saveResult: false). */
  final?: CheckpointMeta;
  /** For a resumed run: the operation continued, the checkpoint it continued from, and the checkpoints deleted. */
  resumedFrom?: OperationRecord;
  checkpoint?: CheckpointMeta;
  deletedCheckpoints?: string[];
}

export function registryOf(opts: RegistryOptions): OperationRegistry {
  return opts.registry ?? new OperationRegistry(opts.root !== undefined ? { root: opts.root } : {});
}

/**
 * Continues backtest `id` (cancelled, or failed: e.g. its process was killed) from its latest
 * checkpoint as a new operation; the result equals an uninterrupted run's. The inputs are
 * checked first: a data or costs file that changed since the start fails with a RunError
 * naming it, before any new operation is recorded, and nothing is deleted.
 */
export async function resumeBacktest(id: string, opts: BacktestRunOptions = {}, preloaded?: BacktestInputs): Promise<BacktestOutcome> {
  const registry = registryOf(opts);
  const op = registry.get(id);
  if (op.type !== "backtesting") throw new UsageError(`operation ${id} is a ${op.type} operation, not a backtest; resume it with: stratlab operations resume ${id}`);
  let pre: Preloaded | undefined;
  if ((op.status === "cancelled" || op.status === "failed") && registry.checkpoints.latest(id) !== undefined) {
    const ck = registry.checkpoints.loadLatest(id);
    const state = parseBacktestState(ck.state, ck.meta.id);
    checkSpec(state.request, id);
    const inputs = preloaded !== undefined && sameRun(preloaded.spec, state.request) ? { ...preloaded, spec: state.request } : reloadBacktest(state.request, id, opts);
    pre = { checkpointId: ck.meta.id, inputs };
  }
  let final: CheckpointMeta | undefined;
  const r = await registry.resume<BacktestResult>(id, (ctx) => continueBacktest(ctx, { ...opts, onFinal: (m) => (final = m) }, pre), {
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    ...(opts.signals !== undefined ? { signals: opts.signals } : {}),
  });
  return { operation: r.operation, result: r.result, ...(final ? { final } : {}), resumedFrom: r.resumedFrom, checkpoint: r.checkpoint, deletedCheckpoints: r.deletedCheckpoints };
}

/**
 * The newest backtest of the same run (same files by content, strategy, params, trade size,
 * sampling) that can be continued: cancelled or failed, with a checkpoint, and not already
 * continued by another operation that is running, completed or has checkpoints of its own.
 */
export function findResumableBacktest(spec: BacktestSpec, opts: RegistryOptions = {}): OperationRecord | undefined {
  const registry = registryOf(opts);
  const latest = (o: OperationRecord) => registry.checkpoints.latest(o.id);
  const continued = (o: OperationRecord) => {
    const next = o.resumedBy !== undefined ? registry.find(o.resumedBy) : undefined;
    return next !== undefined && (next.status === "running" || next.status === "completed" || latest(next) !== undefined);
  };
  const candidates = registry
    .list({ type: "backtesting" })
    .filter((o) => (o.status === "cancelled" || o.status === "failed") && isSpec(o.request) && sameRun(o.request, spec) && latest(o) !== undefined && !continued(o));
  return candidates.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).pop();
}

interface Preloaded {
  checkpointId: string;
  inputs: BacktestInputs;
}

type ContinueOptions = BacktestRunOptions & Pick<LoopOptions, "onFinal">;

/** The resumer body: restore the engine from the checkpoint and run the loop to the end. */
async function continueBacktest(ctx: ResumeContext, opts: ContinueOptions, pre?: Preloaded): Promise<BacktestResult> {
  const { meta } = ctx.checkpoint;
  const state = parseBacktestState(ctx.checkpoint.state, meta.id);
  checkSpec(state.request, ctx.original.id);
  const inputs = pre !== undefined && pre.checkpointId === meta.id ? pre.inputs : reloadBacktest(state.request, ctx.original.id, opts);
  const engine = engineFor(inputs);
  try {
    engine.restore(engineStateOf(state));
  } catch (e) {
    throw new CheckpointError(`checkpoint ${meta.id} of ${ctx.original.id} does not fit its backtest (${(e as Error).message}); delete it to resume from an earlier one: stratlab checkpoints delete ${meta.id}`);
  }
  const onProgress = withRate(opts.onProgress, state.bar);
  const bridge = ctx.bridge({
    policy: inputs.spec.checkpoint,
    total: engine.n,
    startUnit: state.bar,
    ...(opts.keepLast !== undefined ? { keepLast: opts.keepLast } : {}),
    ...(opts.progressEveryMs !== undefined ? { progressEveryMs: opts.progressEveryMs } : {}),
    ...(onProgress !== undefined ? { onProgress } : {}),
  });
  return runLoop(ctx, bridge, engine, inputs, opts);
}

function isSpec(x: unknown): x is BacktestSpec {
  try {
    checkSpec(x, "");
    return true;
  } catch {
    return false;
  }
}

// `stratlab operations resume ID` for backtests: progress goes to the resume's onProgress.
registerResumer("backtesting", (ctx) => continueBacktest(ctx, {}));
