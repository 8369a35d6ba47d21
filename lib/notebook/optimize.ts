/**
 * `optimize` for notebooks and scripts: lab's verb with a live view when the caller gives
 * no `onProgress` (a bar that redraws in place in a notebook, plain lines elsewhere) and
 * log lines printed.
 *
 * Stopping and resuming from a notebook: Jupyter's stop button sends SIGINT to the kernel.
 * tslab fails the cell at once; lab's optimize hears the same signal, lets the in-flight
 * trials finish, writes them and the checkpoint, and ends with status "cancelled" (the
 * view says so). Running the cell again resumes the run of the same `name`, waiting first
 * for a stopped run of this kernel that is still finishing its last trials. A complete
 * run returns at once with `newTrials === 0`.
 */
import { resolve } from "node:path";
import { optimize as labOptimize, type OptimizeOptions, type OptimizeResult } from "../lab/optimize";
import { RUNS_DIR } from "../paths";
import { formatSeconds } from "./progress";
import { runProgress } from "./optimize-progress";

/** Runs of this process still going (or winding down after a stop), by folder and name. */
const running = new Map<string, Promise<unknown>>();

function runKey(o: OptimizeOptions): string | null {
  if (o.resumeFrom !== undefined) return resolve(o.resumeFrom);
  if (o.name !== undefined) return `${resolve(o.out ?? RUNS_DIR)}\0${o.name}`;
  return null;
}

export async function optimize(options: OptimizeOptions): Promise<OptimizeResult> {
  const key = runKey(options);
  const previous = key === null ? undefined : running.get(key);
  if (previous !== undefined) {
    console.log(`${options.name ?? options.resumeFrom}: waiting for the stopped run to write its last trials`);
    await previous.catch(() => undefined);
  }
  const work = key === null ? start(options) : start(options).finally(() => running.delete(key));
  if (key !== null) running.set(key, work);
  return work;
}

async function start(options: OptimizeOptions): Promise<OptimizeResult> {
  const onLog = options.onLog ?? ((line: string) => console.log(line));
  if (options.onProgress !== undefined) return labOptimize({ ...options, onLog });
  const label = `optimize ${options.name ?? ""}`.trim();
  const view = runProgress(label);
  const started = Date.now();
  try {
    const result = await labOptimize({ ...options, onLog, onProgress: view.update });
    const o = result.outcome;
    const seconds = formatSeconds((Date.now() - started) / 1000);
    view.finish(
      o.status === "cancelled"
        ? `stopped after ${o.trials.length} trials; run the same call again to resume`
        : o.newTrials === 0
          ? `complete: nothing to do (${o.trials.length} trials already in ${o.dir})`
          : `complete: ${o.newTrials} new trials (${seconds} with loading and the report)`,
    );
    return result;
  } catch (e) {
    view.finish(`failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    throw e;
  }
}
