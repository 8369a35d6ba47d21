/** The records the checkpoint module keeps on disk: checkpoints (index.json) and operations (operations.json). */

/** Why a checkpoint was taken. */
export type CheckpointType = "periodic" | "cancellation" | "final";
export const CHECKPOINT_TYPES: readonly CheckpointType[] = ["periodic", "cancellation", "final"];

/** What kind of long-running work an operation is. */
export type OperationType = "backtesting" | "training" | "optimisation";
export const OPERATION_TYPES: readonly OperationType[] = ["backtesting", "training", "optimisation"];

export type OperationStatus = "running" | "completed" | "cancelled" | "failed";
export const OPERATION_STATUSES: readonly OperationStatus[] = ["running", "completed", "cancelled", "failed"];

/** Artifacts handed to `save`: file name -> content. Names are plain file names (letters, digits, `.`, `_`, `-`). */
export type Artifacts = Record<string, string | Uint8Array>;

/** One file of a checkpoint, as recorded in the index. `file` is relative to the checkpoint folder. */
export interface FileRecord {
  file: string;
  sha256: string;
  bytes: number;
}

export interface ArtifactRecord extends FileRecord {
  name: string;
}

/** One entry of `<root>/index.json`. */
export interface CheckpointMeta {
  id: string;
  operationId: string;
  type: CheckpointType;
  /** ISO time the checkpoint was recorded in the index. */
  createdAt: string;
  /** Progress unit (bar, epoch) the state belongs to, when the caller gave one. */
  unit?: number;
  /** Checkpoint folder relative to the root: `<operationId>/<id>`. */
  path: string;
  state: FileRecord;
  artifacts: ArtifactRecord[];
}

/** `<root>/index.json` */
export interface CheckpointIndex {
  format: "stratlab-checkpoints";
  version: 1;
  checkpoints: CheckpointMeta[];
}

/** One entry of `<root>/operations.json`. */
export interface OperationRecord {
  id: string;
  type: OperationType;
  status: OperationStatus;
  /** The request that started the operation, as plain JSON (what a resumer needs to rebuild it). */
  request: unknown;
  createdAt: string;
  updatedAt: string;
  /** The operation this one continues (set by resume). */
  resumedFrom?: string;
  /** The operation that continued this one (set by resume). */
  resumedBy?: string;
  /** Process running the operation, and its host (a pid is only checked on the same host). */
  pid: number;
  host: string;
  /** Why it failed or was cancelled. */
  error?: string;
}

/** `<root>/operations.json` */
export interface OperationsFile {
  format: "stratlab-operations";
  version: 1;
  operations: OperationRecord[];
}
