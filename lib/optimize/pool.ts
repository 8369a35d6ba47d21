/**
 * The evaluator pool: threads.js workers, each initialised once with the shared bars and
 * the cost table. A call evaluates a list of tasks split into two chunks per worker (few
 * messages, so IPC stays a small fraction of the work) and returns results in task order.
 */
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { Pool, spawn, Worker, type ModuleThread } from "threads";
import { costTableToJson, type CostTable } from "../costs/cost-table";
import { shareBars, type Bars } from "../data/bars";
import { UsageError } from "../errors";
import { DIST_DIR } from "../paths";
import { SEARCH_LIMITS } from "./config";
import { unpackResults } from "./packed-results";
import { buildSharedDerived } from "./shared-derived";
import type { StrategyCode } from "../strategies/define";
import type { EvalTask, TaskResult } from "./task";
import type { EvaluatorWorker } from "./worker";

// threads.js, when first imported, answers SIGINT/SIGTERM by killing every worker and
// calling process.exit(0): the trials in flight and the checkpoint would be lost, and a
// notebook kernel would die on an interrupt. Signals belong to the caller (lib/lab/
// interrupt.ts stops a run cleanly), so those two handlers are taken out again.
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  for (const l of process.listeners(sig)) if (String(l).includes("terminateWorkersAndMaster")) process.removeListener(sig, l);
}

/** The compiled worker (threads run JavaScript, also when the caller runs TypeScript sources). */
export const WORKER_SCRIPT = join(DIST_DIR, "lib", "optimize", "worker.js");

/**
 * Workers for a fraction of the cores: round(cores * fraction), at least 1, at most the
 * cores — a 2-core machine at the default 0.9 runs 2. `maxWorkers` overrides.
 */
export function workerCount(cpuFraction = 0.9, maxWorkers?: number, cores = availableParallelism()): number {
  if (!(cpuFraction > 0 && cpuFraction <= 1)) throw new UsageError(`cpu fraction ${cpuFraction} must be in (0, 1]`);
  if (maxWorkers !== undefined) {
    const cap = SEARCH_LIMITS.workersPerCore * cores;
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1 || maxWorkers > cap) {
      throw new UsageError(`max workers ${maxWorkers} must be an integer >= 1 and <= ${cap} (${SEARCH_LIMITS.workersPerCore} x the ${cores} cores)`);
    }
    return maxWorkers;
  }
  return Math.min(cores, Math.max(1, Math.round(cores * cpuFraction)));
}

export class EvaluatorPool {
  private constructor(
    private readonly pool: Pool<ModuleThread<EvaluatorWorker>>,
    readonly size: number,
  ) {}

  /** @param code user strategies the workers must know (built-ins need none). */
  static async start(bars: Bars, costs: CostTable, size: number, code: readonly StrategyCode[] = []): Promise<EvaluatorPool> {
    const shared = shareBars(bars);
    const derived = buildSharedDerived(bars);
    const costsJson = costTableToJson(costs);
    let next = 0;
    // threads.js resolves a worker path relative to the calling file.
    const script = relative(__dirname, WORKER_SCRIPT);
    const spawnOne = async () => {
      const index = next++;
      const thread = await spawn<EvaluatorWorker>(new Worker(script));
      await thread.init(shared, costsJson, index, [...code], derived);
      return thread;
    };
    // Two chunks queued per worker: the next one is already there when a chunk ends (no
    // round trip through this thread with the worker idle; docs/benchmarks.md, round 3).
    const pool = Pool(spawnOne, { size, concurrency: 2 });
    return new EvaluatorPool(pool, size);
  }

  /**
   * Evaluate tasks; results come back in task order. `onChunk` sees each chunk's results
   * as soon as its worker returns them (so a caller can persist them before the rest).
   */
  async evaluate(tasks: readonly EvalTask[], onChunk?: (results: TaskResult[]) => void): Promise<TaskResult[]> {
    if (tasks.length === 0) return [];
    // Two chunks per worker: a worker that finishes early takes another, so one slow
    // chunk does not leave the other cores idle until the batch ends.
    const chunks = chunk(tasks, Math.ceil(tasks.length / (2 * this.size)));
    const parts = await Promise.all(
      chunks.map((c) =>
        this.pool.queue(async (w) => {
          const rs = unpackResults(await w.evaluate(c));
          onChunk?.(rs);
          return rs;
        }),
      ),
    );
    return parts.flat();
  }

  /** Terminate every worker; the process can exit afterwards. */
  async close(): Promise<void> {
    await this.pool.terminate(true);
  }
}

function chunk<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
