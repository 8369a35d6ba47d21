/**
 * The run index, `reports/index.html`: every run of a runs folder with its status,
 * studies, trials, best values and a link to its dashboard; select two or more runs to
 * compare their best-so-far histories and top trials on one page. Rewritten atomically
 * after every run (lab/optimize.ts) and by `stratlab report --index`. A run that cannot be
 * read is listed with the reason instead of failing the index.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { formatError } from "../errors";
import { writeFileAtomic } from "../io/atomic";
import { hostname } from "node:os";
import { readRunLock } from "../optimize/storage/lock";
import { listRuns, runFile } from "../optimize/storage/run-dir";
import { RUNS_DIR } from "../paths";
import { r6 } from "./dashboard/model";
import { plotlySource } from "./dashboard/plotly";
import { renderRunIndex } from "./dashboard/run-index-page";
import { TrialJournal } from "../optimize/storage/journal";
import { readManifest } from "../optimize/storage/manifest";
import { REPORT_DIR } from "./report";
import { loadRun } from "./run";
import { topLists, type TopEntry, type TopLists } from "./tables";

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

type IndexTop = IndexRun["top"][number];

/**
 * The top trials of a run: from its report's top.json when there is one (cheap), else from
 * the full journal (every metric of every trial: the slow path, for runs never reported).
 */
function topTrials(dir: string): IndexTop[] {
  const toTop = (e: TopEntry): IndexTop => ({
    study: e.study,
    trial: e.trial,
    value: r6(e.value),
    total_return: r6(e.metrics.total_return),
    max_drawdown: r6(e.metrics.max_drawdown),
    params: e.params,
  });
  try {
    const top = JSON.parse(readFileSync(join(dir, REPORT_DIR, "top.json"), "utf8")) as Partial<TopLists>;
    if (Array.isArray(top.overall)) return top.overall.slice(0, INDEX_TOP_N).map(toTop);
  } catch {
    /* no report yet, or a damaged one: compute */
  }
  return topLists(loadRun(dir), INDEX_TOP_N).overall.map(toTop);
}

/** One run, read cheaply: the manifest and the journal without results (7x faster than full lines). */
function indexRun(dir: string, name: string, stamp: string, indexDir: string): IndexRun {
  const base: IndexRun = { name, stamp, href: null, status: "unreadable", error: null, created: null, sampler: null, done: 0, planned: 0, studies: [], top: [] };
  try {
    const manifest = readManifest(dir);
    const trials = new TrialJournal(runFile(dir, "trials")).read({ results: false, skipCorrupt: true }).trials;
    const byStudy = new Map<string, { done: number; complete: Array<{ id: number; value: number }> }>(manifest.studies.map((k) => [k, { done: 0, complete: [] }]));
    let done = 0;
    for (const t of trials) {
      const st = byStudy.get(t.study);
      if (st === undefined) continue;
      st.done++;
      done++;
      if (t.state === "complete" && typeof t.value === "number" && Number.isFinite(t.value)) st.complete.push({ id: t.id, value: t.value });
    }
    const studies = manifest.studies.map((key): IndexStudy => {
      const st = byStudy.get(key) as { done: number; complete: Array<{ id: number; value: number }> };
      const xs = st.complete.sort((a, b) => a.id - b.id);
      const history = { x: [] as number[], y: [] as number[] };
      let best: { id: number; value: number } | null = null;
      xs.forEach((t, k) => {
        const improved = best === null || t.value > best.value;
        if (improved) best = t;
        if (improved || k === xs.length - 1) {
          history.x.push(t.id);
          history.y.push(r6((best as { value: number }).value) ?? 0);
        }
      });
      const b = best as { id: number; value: number } | null;
      return { key, done: st.done, planned: manifest.args.trials, bestValue: b ? r6(b.value) : null, bestTrial: b ? b.id : null, history };
    });
    const planned = manifest.args.trials * manifest.studies.length;
    const page = join(dir, "index.html");
    return {
      ...base,
      href: existsSync(page) ? relative(indexDir, page).split("\\").join("/") : null,
      status: lockedByLiveProcess(dir) ? "running" : done >= planned ? "complete" : "incomplete",
      created: manifest.created,
      sampler: manifest.args.sampler,
      done,
      planned,
      studies,
      top: topTrials(dir),
    };
  } catch (e) {
    return { ...base, error: formatError(e) };
  }
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
