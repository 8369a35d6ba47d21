/**
 * Optimisation runs as the service shows them, read from their run directories (the trial
 * journal is the source of truth: trials done = its complete lines). Read-only.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { isProcessAlive } from "../checkpoint";
import { listRuns, readCheckpoint, readManifest, readRunLock, runFile } from "../optimize/storage";

export interface RunSummary {
  name: string;
  dir: string;
  created_at: string;
  /** A live process holds the run's lock. */
  running: boolean;
  trials_done: number;
  trials_planned: number | null;
  best: Record<string, { id: number; value: number; params: Record<string, unknown> } | null>;
  /** URL of the dashboard under /runs, when written. */
  dashboard: string | null;
}

const lineCache = new Map<string, { size: number; mtimeMs: number; lines: number }>();

/** Complete lines of the journal (a torn last line is not a trial). */
export function journalLines(dir: string): number {
  const path = runFile(dir, "trials");
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  const hit = lineCache.get(path);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.lines;
  const buf = readFileSync(path);
  let lines = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === 10) lines++;
  lineCache.set(path, { size: st.size, mtimeMs: st.mtimeMs, lines });
  return lines;
}

export function summariseRun(dir: string): RunSummary {
  const name = basename(dir);
  let planned: number | null = null;
  let created = "";
  try {
    const m = readManifest(dir);
    planned = m.args.trials * m.studies.length;
    created = m.created;
  } catch {
    created = statSync(dir).mtime.toISOString();
  }
  const lock = readRunLock(dir);
  const ck = readCheckpoint(dir).checkpoint;
  const best: RunSummary["best"] = {};
  if (ck) for (const [k, s] of Object.entries(ck.studies)) best[k] = s.best;
  return {
    name,
    dir,
    created_at: created,
    running: lock !== null && isProcessAlive(lock.pid),
    trials_done: journalLines(dir),
    trials_planned: planned,
    best,
    dashboard: existsSync(join(dir, "index.html")) ? `/runs/${encodeURIComponent(name)}/index.html` : null,
  };
}

export function listRunSummaries(root: string): RunSummary[] {
  return listRuns(root).map((r) => summariseRun(r.dir));
}

/** The run directory of an optimisation operation recorded by the service (its request names it). */
export function runDirOf(request: unknown, runs: string): string | null {
  const r = request as { name?: unknown; out?: unknown; resume_dir?: unknown } | null;
  if (typeof r?.resume_dir === "string") return r.resume_dir;
  if (typeof r?.name !== "string") return null;
  const root = typeof r.out === "string" ? r.out : runs;
  const all = listRuns(root).filter((x) => x.name === r.name);
  return all.length ? all[all.length - 1]!.dir : null;
}
