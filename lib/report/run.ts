/**
 * A run directory as the reports see it: the manifest, the studies it plans and every
 * trial of the journal. Reading never changes the run: a torn last line (a crash or an
 * append in progress) and damaged lines are skipped and reported as warnings, because a
 * report should show what can be shown; resume is where damage stops the work.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { isPeriodKey, type PeriodKey } from "../engine/periods";
import { RunError } from "../errors";
import { TrialJournal } from "../optimize/storage/journal";
import { readManifest, type RunManifest } from "../optimize/storage/manifest";
import { runFile } from "../optimize/storage/run-dir";
import type { TrialLine } from "../optimize/storage/types";

export interface StudyInfo {
  /** "strategy|objective|period". */
  key: string;
  strategy: string;
  /** Objective name ("a/b" for a multi-objective study). */
  objective: string;
  period: PeriodKey;
  /** Position in the manifest's study list (the order every table and chart uses). */
  index: number;
}

export interface RunData {
  dir: string;
  manifest: RunManifest;
  studies: StudyInfo[];
  studyByKey: Map<string, StudyInfo>;
  /** Journal lines of the manifest's studies, ordered by study (manifest order), then id. */
  trials: TrialLine[];
  /** Trials planned per study (manifest args.trials). */
  planned: number;
}

/** Parse "strategy|objective|period" (strategy may carry overlays: "sma_cross+regime"). */
export function parseStudyKey(key: string, index: number, where: string): StudyInfo {
  const parts = key.split("|");
  if (parts.length !== 3 || parts.some((p) => p === "")) throw new RunError(`${where}: study "${key}" is not "strategy|objective|period"`);
  const [strategy, objective, period] = parts;
  if (!isPeriodKey(period)) throw new RunError(`${where}: study "${key}" has an unknown period "${period}"`);
  return { key, strategy, objective, period, index };
}

export function loadRun(runDir: string, onWarning: (msg: string) => void = () => {}): RunData {
  const dir = resolve(runDir);
  if (!existsSync(dir)) throw new RunError(`${dir} does not exist; give a run directory (reports/runs/<stamp>-<name>)`);
  if (!statSync(dir).isDirectory()) throw new RunError(`${dir} is not a directory; give a run directory (reports/runs/<stamp>-<name>)`);
  const manifest = readManifest(dir);
  const where = runFile(dir, "manifest");
  const studies = manifest.studies.map((k, i) => parseStudyKey(k, i, where));
  const studyByKey = new Map(studies.map((s) => [s.key, s]));

  const journalPath = runFile(dir, "trials");
  if (!existsSync(journalPath)) onWarning(`${journalPath} does not exist yet; the report shows no trials`);
  const read = new TrialJournal(journalPath).read({ skipCorrupt: true });
  if (read.torn) onWarning(`${journalPath} line ${read.torn.line}: ignored a torn last line (${read.torn.bytes} bytes; a write cut short)`);
  for (const c of read.corrupt) onWarning(`${journalPath} line ${c.line}: skipped (${c.reason})`);

  const unknown = new Set<string>();
  // The last line of a trial wins: a failed trial retried (--retry-failed) has two.
  const last = new Map<string, TrialLine>();
  for (const t of read.trials) {
    if (studyByKey.has(t.study)) last.set(`${t.study}\u0000${t.id}`, t);
    else unknown.add(t.study);
  }
  const trials = [...last.values()];
  for (const s of unknown) onWarning(`${journalPath}: skipped the trials of study "${s}", which ${where} does not list`);
  trials.sort((a, b) => (studyByKey.get(a.study) as StudyInfo).index - (studyByKey.get(b.study) as StudyInfo).index || a.id - b.id);
  return { dir, manifest, studies, studyByKey, trials, planned: manifest.args.trials };
}

/** A trial's metrics of `period` at the first trade size, or null (failed trials have none). */
export function metricsOf(t: TrialLine, period: PeriodKey): Record<string, number> | null {
  return t.results[0]?.periods[period] ?? null;
}
