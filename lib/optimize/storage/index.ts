/**
 * Durable storage of optimisation runs: the run directory, its append-only trial journal
 * (the source of truth; resume replays it), manifest, checkpoint, log and lock.
 * Formats and guarantees: docs/file-formats.md ("Run directory").
 */
export type { TrialLine, TrialParamValue, TrialResult, TrialState, TrialSummary } from "./types";
export { TRIAL_STATES } from "./types";
export { TrialJournal, toTrialResult, type CorruptLine, type JournalRead, type JournalReadOptions, type OpenedJournal, type TornTail } from "./journal";
export {
  RUN_FILES,
  RunLog,
  checkRunName,
  createRunDir,
  findRunByName,
  listRuns,
  loadCheckpoint,
  readCheckpoint,
  runFile,
  utcStamp,
  writeCheckpoint,
  type Checkpoint,
  type CheckpointBest,
  type CheckpointRead,
  type RunCheckpoint,
  type RunDirEntry,
  type StudyProgress,
} from "./run-dir";
export { buildManifest, compareManifests, gitCommit, hashFile, readManifest, writeManifest, type CodeRef, type ManifestInput, type RunArgs, type RunCode, type RunManifest } from "./manifest";
export { acquireRunLock, readRunLock, type LockOptions, type LockOwner, type RunLock } from "./lock";
export { defaultRunName, openRun, type OpenRunOptions, type OpenedRun } from "./open-run";
