/**
 * The run index, `reports/index.html`: every run of a runs folder with its status,
 * studies, trials, best values and a link to its dashboard; select two or more runs to
 * compare their best-so-far histories and top trials on one page. Rewritten atomically
 * after every run (lab/optimize.ts) and by `stratlab report --index`. A run that cannot be
 * read is listed with the reason instead of failing the index.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { formatError } from "../errors";
import { writeFileAtomic } from "../io/atomic";
import { hostname } from "node:os";
import { readRunLock } from "../optimize/storage/lock";
import { listRuns } from "../optimize/storage/run-dir";
import { RUNS_DIR } from "../paths";
import { r6 } from "./dashboard/model";
import { plotlySource } from "./dashboard/plotly";
import { renderRunIndex } from "./dashboard/run-index-page";
import { loadRun } from "./run";
import { summarize, topLists } from "./tables";

/** Top trials per run kept for the comparison. */
export const INDEX_TOP_N = 5;

export type IndexStatus = "complete" | "running" | "incomplete" | "unreadable";

export interface IndexStudy {
  key: string;
  done: number;
  planned: number;
  bestValue: number | null;
  bestTrial: number | null;
  /** Best value so far, at the trials where it improved (and the last trial). */
  history: { x: number[]; y: number[] };
}

export interface IndexRun {
  name: string;
  stamp: string;
  /** The run's dashboard, relative to the index. */
  href: string | null;
  status: IndexStatus;
  error: string | null;
  created: string | null;
  sampler: string | null;
  done: number;
  planned: number;
  studies: IndexStudy[];
  top: Array<{ study: string; trial: number; value: number | null; total_return: number | null; max_drawdown: number | null; params: Record<string, unknown> }>;
}

export interface RunIndexModel {
  generated: string;
  root: string;
  runs: IndexRun[];
}

/** Where a runs folder's index goes: beside a folder named "runs" (reports/index.html), else inside it. */
export function runIndexPath(runsRoot: string = RUNS_DIR): string {
  return basename(runsRoot) === "runs" ? join(dirname(runsRoot), "index.html") : join(runsRoot, "index.html");
}

function indexRun(dir: string, name: string, stamp: string, indexDir: string): IndexRun {
  const base: IndexRun = { name, stamp, href: null, status: "unreadable", error: null, created: null, sampler: null, done: 0, planned: 0, studies: [], top: [] };
  let run;
  try {
    run = loadRun(dir);
  } catch (e) {
    return { ...base, error: formatError(e) };
  }
  const page = join(dir, "index.html");
  const planned = run.planned * run.studies.length;
  const running = lockedByLiveProcess(dir);
  const byStudy = new Map<string, Array<{ id: number; value: number }>>(run.studies.map((s) => [s.key, []]));
  for (const t of run.trials) if (t.state === "complete" && typeof t.value === "number" && Number.isFinite(t.value)) byStudy.get(t.study)?.push({ id: t.id, value: t.value });
  const studies = summarize(run).map((s): IndexStudy => {
    const xs = (byStudy.get(s.study) ?? []).sort((a, b) => a.id - b.id);
    const history = { x: [] as number[], y: [] as number[] };
    let best = -Infinity;
    xs.forEach((t, k) => {
      const improved = t.value > best;
      if (improved) best = t.value;
      if (improved || k === xs.length - 1) {
        history.x.push(t.id);
        history.y.push(r6(best) ?? 0);
      }
    });
    return { key: s.study, done: s.trials_done, planned: s.trials_planned, bestValue: r6(s.best?.value), bestTrial: s.best?.trial ?? null, history };
  });
  const top = topLists(run, INDEX_TOP_N).overall.map((e) => ({
    study: e.study,
    trial: e.trial,
    value: r6(e.value),
    total_return: r6(e.metrics.total_return),
    max_drawdown: r6(e.metrics.max_drawdown),
    params: e.params,
  }));
  return {
    ...base,
    href: existsSync(page) ? relative(indexDir, page).split("\\").join("/") : null,
    status: running ? "running" : run.trials.length >= planned ? "complete" : "incomplete",
    created: run.manifest.created,
    sampler: run.manifest.args.sampler,
    done: run.trials.length,
    planned,
    studies,
    top,
  };
}

/** A process on this machine holds the run's lock (a stale lock of a killed run does not count). */
function lockedByLiveProcess(dir: string): boolean {
  const owner = readRunLock(dir);
  if (owner === null || owner.hostname !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function buildRunIndex(runsRoot: string = RUNS_DIR, now: Date = new Date()): RunIndexModel {
  const indexDir = dirname(runIndexPath(runsRoot));
  const runs = listRuns(runsRoot).map((r) => indexRun(r.dir, r.name, r.stamp, indexDir));
  return { generated: now.toISOString(), root: runsRoot, runs: runs.reverse() };
}

export interface RunIndexResult {
  path: string;
  runs: number;
}

/** Build and atomically write the index of `runsRoot`. */
export function writeRunIndex(runsRoot: string = RUNS_DIR): RunIndexResult {
  const model = buildRunIndex(runsRoot);
  const path = runIndexPath(runsRoot);
  writeFileAtomic(path, renderRunIndex(model, plotlySource()));
  return { path, runs: model.runs.length };
}
