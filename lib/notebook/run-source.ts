/**
 * What the result helpers accept: an `optimize` result, a run directory, or a run already
 * loaded with `loadRun`. They all read the run as the reports do (lib/report), so the
 * notebook's charts and the dashboard show the same trials.
 */
import { UsageError } from "../errors";
import { loadRun, type RunData, type StudyInfo } from "../report";

/** An `OptimizeResult` (anything with the run's `dir`), a run directory, or a `RunData`. */
export type RunSource = string | { dir: string } | RunData;

function isRunData(x: RunSource): x is RunData {
  return typeof x === "object" && "manifest" in x && "studyByKey" in x;
}

export function runData(source: RunSource): RunData {
  if (typeof source !== "string" && isRunData(source)) return source;
  return loadRun(typeof source === "string" ? source : source.dir, (w) => console.log(`warning: ${w}`));
}

/**
 * A study by its key ("sma_cross|mar|1y"), a key's start ("sma_cross|mar") or a strategy
 * name ("sma_cross": its first study); the run's first study when not given.
 */
export function findStudy(run: RunData, study?: string): StudyInfo {
  if (run.studies.length === 0) throw new UsageError(`${run.dir} has no study`);
  if (study === undefined) return run.studies[0];
  const found = run.studyByKey.get(study) ?? run.studies.find((s) => s.key.startsWith(`${study}|`));
  if (found === undefined) throw new UsageError(`no study "${study}" in ${run.dir}; its studies: ${run.studies.map((s) => s.key).join(", ")}`);
  return found;
}
