/**
 * Operations by type: `{ type -> start(request), resume(id) }`, run inside a worker process
 * (lib/serve/worker.ts) on the operations registry of the server's checkpoint root. Each
 * handler calls the library (backtest, optimize, train) with the registry whose next id is
 * the one the server already answered with, a cancellation token the server can trigger, and
 * a progress callback that goes back to the server.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { backtest, resumeBacktest, type BacktestOptions } from "../backtest";
import type { CancellationToken, OperationRegistry, ProgressEvent } from "../checkpoint";
import { CancelledError, UsageError } from "../errors";
import { optimize } from "../lab/optimize";
import { optimisationRequest, backtestRequest } from "./requests";
import { training } from "./training-adapter";
import type { ApiType } from "./types";

export interface JobContext {
  registry: OperationRegistry;
  token: CancellationToken;
  /** Progress in the checkpoint bridge's terms (optimisations report trials as units). */
  onProgress: (e: ProgressEvent) => void;
  /** Minimum time between progress events. */
  progressEveryMs: number;
  /** The runs folder (optimisation run directories). */
  runs: string;
  /** The operation id this job records. */
  id: string;
}

export interface OperationHandler {
  start(request: Record<string, unknown>, ctx: JobContext): Promise<void>;
  resume(id: string, ctx: JobContext): Promise<void>;
}

function backtestOptions(ctx: JobContext): BacktestOptions {
  return { registry: ctx.registry, token: ctx.token, signals: false, onProgress: ctx.onProgress, progressEveryMs: ctx.progressEveryMs };
}

const backtestHandler: OperationHandler = {
  async start(body, ctx) {
    const { request, stopAfterBars } = backtestRequest(body);
    await backtest(request, { ...backtestOptions(ctx), ...(stopAfterBars !== undefined ? { stopAfterBars } : {}) });
  },
  async resume(id, ctx) {
    await resumeBacktest(id, backtestOptions(ctx));
  },
};

/** The run's options as recorded in the operation's request (name and out fix the run directory). */
type OptimisationRecord = Record<string, unknown> & { name: string; out: string };

async function runOptimisation(request: OptimisationRecord, ctx: JobContext, resumedFrom?: string): Promise<void> {
  await ctx.registry.run({ type: "optimisation", request, signals: false, token: ctx.token, ...(resumedFrom !== undefined ? { resumedFrom } : {}) }, async (op) => {
    const abort = new AbortController();
    op.token.onCancel((r) => abort.abort(new Error(r)));
    const started = Date.now();
    const result = await optimize({
      ...optimisationRequest(request, { name: request.name, out: request.out }),
      handleSignals: false,
      signal: abort.signal,
      onProgress: (p) => ctx.onProgress({ kind: "progress", operationId: op.operation.id, unit: p.done, total: p.total, fraction: p.total > 0 ? p.done / p.total : 1, elapsedMs: Date.now() - started }),
    });
    if (result.status === "cancelled") throw new CancelledError(`operation ${op.operation.id} cancelled (${op.token.reason ?? "cancelled"}) after ${result.trials.length} trials; the journal ${result.dir}/trials.jsonl keeps them`);
    return { dir: result.dir, trials: result.trials.length };
  });
}

const optimisationHandler: OperationHandler = {
  async start(body, ctx) {
    await runOptimisation({ ...body, name: (body.name as string | undefined) ?? ctx.id, out: ctx.runs }, ctx);
  },
  async resume(id, ctx) {
    const original = ctx.registry.find(id);
    if (original !== undefined) return runOptimisation(original.request as OptimisationRecord, ctx, id);
    // A run started outside the service (the CLI, a notebook): its id is its folder's name.
    const dir = join(ctx.runs, id);
    const name = id.replace(/^\d{8}T\d{6}Z-/, "");
    if (name === id || !existsSync(join(dir, "manifest.json"))) throw new UsageError(`operation ${id} is neither recorded nor a run folder of ${ctx.runs}`);
    return runOptimisation({ name, out: ctx.runs, resume_dir: dir, resumed_from: id }, ctx);
  },
};

export const HANDLERS: Record<ApiType, OperationHandler> = {
  backtest: backtestHandler,
  optimisation: optimisationHandler,
  training,
};
