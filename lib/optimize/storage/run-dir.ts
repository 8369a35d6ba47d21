/**
 * The run directory: `reports/runs/<YYYYMMDDTHHMMSSZ>-<name>/` holding manifest.json,
 * trials.jsonl (the source of truth), checkpoint.json (a checksummed summary of the
 * journal, for a quick look and a cross-check), run.log and, while a process works on
 * the run, .lock. Layout and guarantees: docs/file-formats.md ("Run directory").
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { quote, RunError, UsageError } from "../../errors";
import { sha256, writeFileAtomic } from "../../io/atomic";
import { RUNS_DIR } from "../../paths";
import { ensureDir } from "../../io/safe-path";
import type { TrialParamValue } from "./types";

export const RUN_FILES = {
  manifest: "manifest.json",
  trials: "trials.jsonl",
  checkpoint: "checkpoint.json",
  log: "run.log",
  lock: ".lock",
} as const;

export function runFile(dir: string, file: keyof typeof RUN_FILES): string {
  return join(dir, RUN_FILES[file]);
}

/** UTC time as YYYYMMDDTHHMMSSZ (sorts as it reads; no characters filesystems refuse). */
export function utcStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

const RUN_DIR_RE = /^(\d{8}T\d{6}Z)-(.+)$/;
const RUN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Run names become folder names: letters, digits, ".", "_", "-"; at most 100 characters. */
export function checkRunName(name: string): void {
  if (!RUN_NAME_RE.test(name)) {
    throw new UsageError(`run name ${quote(name)} is not allowed; use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
}

/**
 * Create `<root>/<stamp>-<name>/` and return its path. Two runs of one name in the same
 * second (a notebook cell run twice) get the next free second, so the newest run of a
 * name is always the one with the greatest stamp.
 */
export function createRunDir(name: string, opts: { root?: string; now?: Date } = {}): string {
  checkRunName(name);
  const root = opts.root ?? RUNS_DIR;
  const t0 = (opts.now ?? new Date()).getTime();
  try {
    ensureDir(root);
  } catch (e) {
    throw new RunError(`${root}: cannot create the runs folder (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  for (let i = 0; i < 3600; i++) {
    const dir = join(root, `${utcStamp(new Date(t0 + i * 1000))}-${name}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new RunError(`${dir}: cannot create the run folder (${(e as NodeJS.ErrnoException).code ?? e})`);
      }
    }
  }
  throw new RunError(`${root}: no free run folder name for "${name}" within an hour of now`);
}

export interface RunDirEntry {
  dir: string;
  name: string;
  /** The folder's stamp, YYYYMMDDTHHMMSSZ. */
  stamp: string;
}

/** Run folders under `root`, oldest first (a missing root has none). */
export function listRuns(root: string = RUNS_DIR): RunDirEntry[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new RunError(`${root}: cannot list the runs folder (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const runs: RunDirEntry[] = [];
  for (const n of names) {
    const m = RUN_DIR_RE.exec(n);
    if (!m) continue;
    const dir = join(root, n);
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue; // removed while listing
    }
    runs.push({ dir, name: m[2], stamp: m[1] });
  }
  return runs.sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.name < b.name ? -1 : 1));
}

/** The newest run folder called `name` under `root`, or null. */
export function findRunByName(root: string, name: string): string | null {
  let best: RunDirEntry | null = null;
  for (const r of listRuns(root)) if (r.name === name && (best === null || r.stamp >= best.stamp)) best = r;
  return best?.dir ?? null;
}

// ---------------------------------------------------------------------------------------
// checkpoint.json

export interface CheckpointBest {
  id: number;
  value: number;
  params: Record<string, TrialParamValue>;
}

export interface StudyProgress {
  /** Where the study continues: the first id of its first unfinished batch. */
  next_trial_id: number;
  /** Lines of the study in the journal (complete, pruned and failed). */
  trials_done: number;
  /** Best complete trial so far (objectives are maximised). */
  best: CheckpointBest | null;
}

export interface Checkpoint {
  v: 1;
  studies: Record<string, StudyProgress>;
  trials_done: number;
  updated: string;
  /** sha256 of JSON.stringify of the other fields, in this order. */
  sha256: string;
}

/** What the runner knows after a round; writeCheckpoint adds v, updated and the checksum. */
export interface RunCheckpoint {
  studies: Record<string, StudyProgress>;
  /** Trials in the journal. */
  trials_done: number;
}

export type CheckpointRead = { checkpoint: Checkpoint; reason: null } | { checkpoint: null; reason: string };

function checkpointDigest(c: Omit<Checkpoint, "sha256">): string {
  return sha256(JSON.stringify({ v: c.v, studies: c.studies, trials_done: c.trials_done, updated: c.updated }));
}

/** Write checkpoint.json atomically (temp, fsync, rename) with its checksum. */
export function writeCheckpoint(dir: string, c: RunCheckpoint, now: Date = new Date()): Checkpoint {
  const body = { v: 1 as const, studies: c.studies, trials_done: c.trials_done, updated: now.toISOString() };
  const written: Checkpoint = { ...body, sha256: checkpointDigest(body) };
  writeFileAtomic(runFile(dir, "checkpoint"), JSON.stringify(written, null, 2) + "\n");
  return written;
}

/**
 * Read checkpoint.json, or null and why (missing, unreadable, not JSON, checksum wrong).
 * The journal is the source of truth: on null, rebuild the progress by replaying it and say so.
 */
export function readCheckpoint(dir: string): CheckpointRead {
  const path = runFile(dir, "checkpoint");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { checkpoint: null, reason: code === "ENOENT" ? `${path} does not exist` : `${path} cannot be read (${code ?? e})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { checkpoint: null, reason: `${path} is not valid JSON (${(e as Error).message})` };
  }
  const bad = checkCheckpoint(raw);
  if (bad) return { checkpoint: null, reason: `${path}: ${bad}` };
  const c = raw as Checkpoint;
  const digest = checkpointDigest(c);
  if (digest !== c.sha256) return { checkpoint: null, reason: `${path}: checksum mismatch (stored ${c.sha256.slice(0, 12)}…, content ${digest.slice(0, 12)}…)` };
  return { checkpoint: c, reason: null };
}

/** readCheckpoint, with a RunError naming the file instead of null. */
export function loadCheckpoint(dir: string): Checkpoint {
  const r = readCheckpoint(dir);
  if (r.checkpoint === null) throw new RunError(`${r.reason}; the checkpoint can be rebuilt from trials.jsonl`);
  return r.checkpoint;
}

function checkCheckpoint(x: unknown): string | null {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return "not a JSON object";
  const o = x as Record<string, unknown>;
  if (o.v !== 1) return `format version ${JSON.stringify(o.v)} (this stratlab reads version 1)`;
  if (typeof o.sha256 !== "string") return "no sha256";
  if (typeof o.updated !== "string") return "no updated time";
  if (typeof o.trials_done !== "number") return "no trials_done";
  if (typeof o.studies !== "object" || o.studies === null || Array.isArray(o.studies)) return "studies is not an object";
  for (const [s, p] of Object.entries(o.studies as Record<string, unknown>)) {
    const q = p as Partial<StudyProgress> | null;
    if (typeof q !== "object" || q === null || !Number.isInteger(q.next_trial_id) || !Number.isInteger(q.trials_done) || (q.best !== null && typeof q.best !== "object")) {
      return `study "${s}" is not a progress record`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// run.log

/** Append-only, human-readable history of a run: one ISO-timestamped line per event. */
export class RunLog {
  readonly path: string;
  constructor(dir: string) {
    this.path = runFile(dir, "log");
  }

  /** Append `message` (each of its lines gets the timestamp). */
  write(message: string, now: Date = new Date()): void {
    const t = now.toISOString();
    const text = message
      .split(/\r?\n/)
      .map((l) => `${t} ${l}\n`)
      .join("");
    try {
      appendFileSync(this.path, text);
    } catch (e) {
      throw new RunError(`${this.path}: cannot append to the run log (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  }
}
