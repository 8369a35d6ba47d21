import { availableParallelism } from "node:os";
import { workerCount } from "../../optimize/pool";
import { checkRedisUrl } from "../../scale/redis";
import { startQueueWorker } from "../../scale/worker";
import { UsageError } from "../../errors";
import { num, required, str } from "../args";
import type { Command } from "../command";

export const workerCommand: Command = {
  name: "worker",
  summary: "evaluate trials from a Redis job queue (BullMQ) on this machine's cores, until stopped",
  usage: [
    "usage: stratlab worker --redis redis://[:PASSWORD@]HOST:6379 [--concurrency N] [--queue NAME]",
    "                       [--data FILE] [--cache DIR] [--lock-duration MS] [--stalled-interval MS] [--json]",
    "                       [--operations [--operations-queue NAME]]",
    "",
    "  --concurrency       evaluator threads on this machine (default: 90 % of the cores)",
    "  --queue             the queue to take jobs from (default stratlab-trials; the coordinator's --queue)",
    "  --data              a local copy of the run's data file (checked by sha256; otherwise it is",
    "                      taken through Redis once and kept in --cache, default <tmp>/stratlab-worker-cache)",
    "  --lock-duration     a job whose worker stops renewing its lock for this long goes to another",
    "                      worker (default 30000 ms); --stalled-interval: how often to look (default 30000)",
    "  --operations        also run whole operations (one at a time) for `stratlab serve --redis URL`, from",
    "                      --operations-queue (default stratlab-operations), on the checkpoint folder they",
    "                      name: the server's --root, mounted at the same path here",
    "",
    "Runs until Ctrl-C or SIGTERM (finishes the jobs in hand, exit 0). A job made by another",
    "version of stratlab, or for other data than --data, is refused: one line, exit 2.",
    "Coordinator: stratlab optimize ... --redis URL (docs/scale-out.md).",
  ].join("\n"),
  options: {
    redis: { type: "string" },
    concurrency: { type: "string" },
    queue: { type: "string" },
    data: { type: "string" },
    cache: { type: "string" },
    "lock-duration": { type: "string" },
    "stalled-interval": { type: "string" },
    operations: { type: "boolean" },
    "operations-queue": { type: "string" },
  },
  async run(ctx) {
    const url = required(ctx.values, "redis", "e.g. --redis redis://:PASSWORD@10.0.0.5:6379");
    checkRedisUrl(url);
    const threads = num(ctx.values, "concurrency", { int: true, min: 1, max: 4 * availableParallelism() }) ?? workerCount();
    if (ctx.values.operations !== true && str(ctx.values, "operations-queue") !== undefined) throw new UsageError("--operations-queue needs --operations");
    const lockDuration = num(ctx.values, "lock-duration", { int: true, min: 100, max: 3_600_000 });
    const stalledInterval = num(ctx.values, "stalled-interval", { int: true, min: 100, max: 3_600_000 });
    const worker = await startQueueWorker({
      url,
      queue: str(ctx.values, "queue"),
      threads,
      data: str(ctx.values, "data"),
      cacheDir: str(ctx.values, "cache"),
      lockDurationMs: lockDuration,
      stalledIntervalMs: stalledInterval,
      onLog: ctx.err,
    });
    let operations: import("../../scale/operations").OperationWorker | undefined;
    if (ctx.values.operations === true) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startOperationWorker } = require("../../scale/operations") as typeof import("../../scale/operations");
      operations = await startOperationWorker({ url, queue: str(ctx.values, "operations-queue"), lockDurationMs: lockDuration, stalledIntervalMs: stalledInterval, onLog: ctx.err }).catch(async (e) => {
        await worker.close();
        throw e;
      });
    }
    const stopped = new Promise<string>((resolve) => {
      for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => resolve(sig));
    });
    const outcome = await Promise.race([stopped.then((sig) => ({ sig })), worker.refused.then((error) => ({ error }))]);
    if ("sig" in outcome) ctx.err(`${outcome.sig}: finishing the jobs in hand, then stopping`);
    await operations?.close();
    await worker.close();
    if ("error" in outcome) throw outcome.error;
    ctx.out(`stopped after ${worker.evaluated()} evaluations${operations ? ` and ${operations.ran()} operation(s)` : ""}`);
    return { status: "stopped", evaluated: worker.evaluated(), ...(operations ? { operations: operations.ran() } : {}) };
  },
};
