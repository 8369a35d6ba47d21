/**
 * Names in Redis. Every key of stratlab starts with `stratlab:`; a run's keys carry its run
 * key (the run directory's name and creation time, hashed), so two runs never share them.
 */
import { createHash } from "node:crypto";

export const DEFAULT_QUEUE = "stratlab-trials";

/** A short, stable key for a run: the same run directory gives the same key after any restart. */
export function runKey(runName: string, created: string): string {
  return createHash("sha256").update(`${runName}\n${created}`).digest("hex").slice(0, 16);
}

export const keys = {
  /** Content-addressed file (data or costs): the bytes, keyed by their sha256. */
  blob: (sha256: string) => `stratlab:blob:${sha256}`,
  /** Hash: field `${study}|${trial id}` -> the trial's TaskResult as JSON. */
  results: (run: string) => `stratlab:run:${run}:results`,
  /** Counter of trials evaluated by workers for this run (each evaluation once). */
  evaluated: (run: string) => `stratlab:run:${run}:evaluated`,
};

/** BullMQ job ids cannot hold ":"; this one names the run, the study and the trials. */
export function jobId(run: string, study: string, ids: readonly number[]): string {
  const studyPart = createHash("sha256").update(study).digest("hex").slice(0, 12);
  const first = ids[0];
  const last = ids[ids.length - 1];
  const contiguous = ids.every((id, i) => id === first + i);
  const idPart = contiguous ? `${first}-${last}` : createHash("sha256").update(ids.join(",")).digest("hex").slice(0, 12);
  return `${run}|${studyPart}|${idPart}`;
}

export const resultField = (study: string, id: number) => `${study}|${id}`;

/** Results are kept this long after the last write (a coordinator may resume a day later). */
export const RESULTS_TTL_S = 7 * 24 * 3600;
