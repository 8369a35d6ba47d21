/**
 * `optimize` and `runMainStudy` for notebooks and scripts: lab's verbs with a live view
 * when the caller gives no `onProgress` (a bar that redraws in place in a notebook, plain
 * lines elsewhere), and log lines printed.
 *
 * Stopping and resuming from a notebook: Jupyter's stop button sends SIGINT to the kernel.
 * tslab fails the cell at once; lab's optimize hears the same signal, lets the in-flight
 * trials finish, writes them and the checkpoint, and ends with status "cancelled" (the
 * view says so). Running the cell again resumes the run of the same `name`, waiting first
 * for a stopped run of this kernel that is still writing its last trials. A complete run
 * returns at once with `newTrials === 0`.
 *
 * The verbs start on the next turn of the event loop, out of the cell's synchronous part:
 * see cell-start.ts (a SIGINT listener added in that part breaks the kernel's interrupt).
 */
import { resolve } from "node:path";
import { runMainStudy as labRunMainStudy, MAIN_STUDY, type MainStudyOutcome } from "../lab/main-study";
import { optimize as labOptimize, type OptimizeOptions, type OptimizeResult } from "../lab/optimize";
import type { Progress, RunOutcome } from "../optimize/runner";
import { RUNS_DIR } from "../paths";
import { nextTurn } from "./cell-start";
import { runProgress } from "./optimize-progress";
import { formatSeconds } from "./progress";

/** Runs of this process still going (or winding down after a stop), by folder and name. */
const running = new Map<string, Promise<unknown>>();

interface Hooks {
  onProgress?: (p: Progress) => void;
  onLog?: (line: string) => void;
}

/** The closing note of the live view. */
export function outcomeNote(o: RunOutcome, seconds: number): string {
  if (o.status === "cancelled") return `stopped after ${o.trials.length} trials; run the same call again to resume`;
  if (o.status === "complete_with_failures") {
    const failed = o.trials.filter((t) => t.state === "failed");
    return `complete with failures: ${failed.length} of ${o.trials.length} trials failed (first error: ${failed[0]?.error ?? "no value"}); fix the strategy under a new name, or pass retryFailed: true to evaluate them again`;
  }
  if (o.newTrials === 0) return `complete: nothing to do (${o.trials.length} trials already in ${o.dir})`;
  return `complete: ${o.newTrials} new trials (${formatSeconds(seconds)} with loading and the report)`;
}

/**
 * Run `work` once any run of the same key in this process has settled, with the live view
 * unless the caller passed `onProgress`, and log lines printed unless it passed `onLog`.
 */
async function withView<T>(key: string | null, label: string, hooks: Hooks, work: (h: Required<Hooks>) => Promise<T>, outcome: (t: T) => RunOutcome): Promise<T> {
  const previous = key === null ? undefined : running.get(key);
  const run = async (): Promise<T> => {
    if (previous !== undefined) {
      console.log(`${label}: waiting for the stopped run to write its last trials`);
      await previous.catch(() => undefined);
    }
    await nextTurn();
    const onLog = hooks.onLog ?? ((line: string) => console.log(line));
    if (hooks.onProgress !== undefined) return work({ onLog, onProgress: hooks.onProgress });
    const view = runProgress(label);
    const started = Date.now();
    try {
      const result = await work({ onLog, onProgress: view.update });
      view.finish(outcomeNote(outcome(result), (Date.now() - started) / 1000));
      return result;
    } catch (e) {
      view.finish(`failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      throw e;
    }
  };
  const p = run();
  if (key !== null) {
    running.set(key, p);
    p.then(
      () => running.get(key) === p && running.delete(key),
      () => running.get(key) === p && running.delete(key),
    );
  }
  return p;
}

function runKey(o: { name?: string; out?: string; resumeFrom?: string }): string | null {
  if (o.resumeFrom !== undefined) return resolve(o.resumeFrom);
  if (o.name !== undefined) return `${resolve(o.out ?? RUNS_DIR)}\0${o.name}`;
  return null;
}

/** lab's `optimize` (same options, same result) with a live view and printed log lines. */
export function optimize(options: OptimizeOptions): Promise<OptimizeResult> {
  return withView(runKey(options), `optimize ${options.name ?? ""}`.trim(), options, (h) => labOptimize({ ...options, ...h }), (r) => r.outcome);
}

/** lab's `runMainStudy` (`npm start`) with a live view and printed log lines. */
export function runMainStudy(overrides: Parameters<typeof labRunMainStudy>[0] = {}): Promise<MainStudyOutcome> {
  const name = overrides.name ?? MAIN_STUDY.name;
  return withView(runKey({ ...overrides, name }), `optimize ${name}`, overrides, (h) => labRunMainStudy({ ...overrides, ...h }), (r) => r.result.outcome);
}
