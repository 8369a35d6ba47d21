/**
 * Open a run for a session: create it, or resume it (by directory or by name), with the
 * lock held, the manifest checked, the journal replayed and its torn tail cut. What was
 * repaired or changed is said in the run log and through `onLog`.
 */
import { RunError } from "../../errors";
import { RUNS_DIR } from "../../paths";
import { TrialJournal, type TornTail } from "./journal";
import { acquireRunLock, type RunLock } from "./lock";
import { buildManifest, compareManifests, readManifest, writeManifest, type RunArgs, type RunCode, type RunManifest } from "./manifest";
import { createRunDir, findRunByName, readCheckpoint, RunLog, runFile, writeCheckpoint, type Checkpoint, type RunCheckpoint } from "./run-dir";
import { existsSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { TrialLine } from "./types";

export interface OpenRunOptions {
  /** Folder of run directories (default reports/runs). */
  root?: string;
  /** Run name; the newest run of this name under `root` is resumed. Default: a new run named after the strategies. */
  name?: string;
  /** Resume this run directory. */
  resumeFrom?: string;
  search: RunArgs;
  studies: string[];
  data: { path: string; rows: number };
  costs: { path: string };
  /** User strategies and objectives, by sha256: resuming with other code is refused. */
  code?: RunCode;
  workers: number;
  cpuFraction: number;
  onLog?: (line: string) => void;
}

export interface OpenedRun {
  readonly dir: string;
  readonly name: string;
  /** The directory existed before this session. */
  readonly resumed: boolean;
  readonly journalPath: string;
  readonly manifest: RunManifest;
  /** Every trial in the journal, in file order. */
  readonly trials: TrialLine[];
  /** The torn last line dropped on opening, if any. */
  readonly torn: TornTail | null;
  readonly lock: RunLock;
  append(lines: readonly TrialLine[]): void;
  writeCheckpoint(c: RunCheckpoint): Checkpoint;
  /** A line in run.log. */
  log(line: string): void;
  /** Close the journal and release the lock (idempotent). */
  close(): void;
}

export async function openRun(o: OpenRunOptions): Promise<OpenedRun> {
  const root = o.root ?? RUNS_DIR;
  // Hash the inputs first: a missing file must not leave an empty run folder behind.
  const requested = buildManifest({
    name: o.name ?? defaultRunName(o.search.strategies),
    args: o.search,
    studies: o.studies,
    workers: o.workers,
    cpuFraction: o.cpuFraction,
    data: o.data,
    costs: o.costs,
    code: o.code,
  });
  let dir: string;
  let resumed: boolean;
  if (o.resumeFrom !== undefined) {
    if (!existsSync(o.resumeFrom) || !statSync(o.resumeFrom).isDirectory()) throw new RunError(`${o.resumeFrom} does not exist; pass a run directory to resume`);
    dir = o.resumeFrom;
    resumed = true;
  } else {
    const existing = o.name !== undefined ? findRunByName(root, o.name) : null;
    resumed = existing !== null;
    dir = existing ?? createRunDir(requested.name, { root });
  }

  const lock = acquireRunLock(dir);
  const runLog = new RunLog(dir);
  const journal = new TrialJournal(runFile(dir, "trials"));
  const note = (line: string) => {
    runLog.write(line);
    o.onLog?.(line);
  };
  try {
    let manifest: RunManifest = { ...requested, name: o.resumeFrom !== undefined ? basename(dir).replace(/^\d{8}T\d{6}Z-/, "") : requested.name };
    const fresh = !existsSync(runFile(dir, "manifest")) && journalIsEmpty(runFile(dir, "trials"));
    if (fresh) {
      writeManifest(dir, manifest);
      if (resumed) note(`${runFile(dir, "manifest")} was missing and no trial was recorded: starting the run afresh`);
    } else {
      const saved = readManifest(dir);
      const diffs = compareManifests(saved, requested);
      if (diffs.length > 0) {
        throw new RunError(`cannot resume ${dir}: it was made with other settings (${diffs.join("; ")}); use the same settings, or another run name for a new run`);
      }
      manifest = { ...saved, args: { ...saved.args, trials: requested.args.trials }, workers: requested.workers, cpuFraction: requested.cpuFraction };
      if (requested.args.trials > saved.args.trials) note(`trial budget raised from ${saved.args.trials} to ${requested.args.trials} per study`);
      if (requested.workers !== saved.workers || requested.cpuFraction !== saved.cpuFraction) {
        note(`workers ${requested.workers} at cpu fraction ${requested.cpuFraction} (was ${saved.workers} at ${saved.cpuFraction})`);
      }
      if (manifest.args.trials !== saved.args.trials || manifest.workers !== saved.workers || manifest.cpuFraction !== saved.cpuFraction) writeManifest(dir, manifest);
    }
    if (lock.note) note(lock.note);

    const opened = journal.openForAppend();
    if (opened.torn) {
      note(`${journal.path}: dropped a torn last line (line ${opened.torn.line}, ${opened.torn.bytes} bytes, cut by a crash); its bytes are in ${opened.tornBackup}`);
    }
    if (!fresh) {
      const cp = readCheckpoint(dir);
      if (cp.checkpoint === null) {
        if (opened.trials.length > 0 || existsSync(runFile(dir, "checkpoint"))) note(`${cp.reason}; rebuilding it from the journal (${opened.trials.length} trials)`);
      } else if (cp.checkpoint.trials_done !== opened.trials.length) {
        note(`${runFile(dir, "checkpoint")} counts ${cp.checkpoint.trials_done} trials, the journal ${opened.trials.length}; continuing from the journal`);
      }
    }
    note(`${fresh && !resumed ? "created" : "resumed"} by pid ${process.pid}: ${opened.trials.length} trials in the journal, ${o.workers} workers`);

    let closed = false;
    return {
      dir,
      name: manifest.name,
      resumed,
      journalPath: journal.path,
      manifest,
      trials: opened.trials,
      torn: opened.torn,
      lock,
      append: (lines) => journal.append(lines),
      writeCheckpoint: (c) => writeCheckpoint(dir, c),
      log: (line) => runLog.write(line),
      close: () => {
        if (closed) return;
        closed = true;
        try {
          journal.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    journal.close();
    lock.release();
    throw e;
  }
}

/** A name for an unnamed run: its strategies, in the characters run names allow. */
export function defaultRunName(strategies: readonly string[]): string {
  const name = strategies.join("-").replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[^A-Za-z0-9]+/, "").slice(0, 100);
  return name === "" ? "run" : name;
}

function journalIsEmpty(path: string): boolean {
  try {
    return statSync(path).size === 0;
  } catch {
    return true;
  }
}
