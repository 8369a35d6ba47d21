/**
 * Errors a user can act on. Each is raised at the edge (file loaders, parameter
 * validation, CLI parsing) and caught once at the CLI / notebook boundary, where
 * only `message` is shown: one line naming the file or field and the fix.
 */
export class StratlabError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A data file is malformed: names file, line and field. */
export class DataError extends StratlabError {}

/** A swap-cost table is malformed. */
export class CostError extends StratlabError {}

/** Unknown strategy, unknown parameter, value out of bounds, violated constraint. */
export class ParamError extends StratlabError {}

/** Bad command-line or API usage. */
export class UsageError extends StratlabError {}

/** A run directory cannot be resumed or written (incompatible manifest, lock held, torn log). */
export class RunError extends StratlabError {}

/** A checkpoint, its index or an artifact is missing or corrupt. */
export class CheckpointError extends StratlabError {}

/** A trained model folder is missing, corrupt (sha256 mismatch) or built for other features. */
export class ModelError extends StratlabError {}

/** An operation was cancelled (Ctrl-C, SIGTERM, notebook interrupt, code). */
export class CancelledError extends StratlabError {
  override readonly exitCode = 130;
}

/** One line for a user: the message of a StratlabError, or a short form of anything else. */
export function formatError(err: unknown): string {
  if (err instanceof StratlabError) return `${err.name}: ${err.message}`;
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}
