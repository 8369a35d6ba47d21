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

/** A quote source failed or answered wrongly (costs fetch); the old cost table is left as it was. */
export class FetchError extends StratlabError {}

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

/**
 * An operation was cancelled (Ctrl-C, SIGTERM, notebook interrupt, code). `details` is the
 * structured outcome (operation_id, checkpoint_id, unit reached, resume_command) that
 * `--json` prints as `{"status": "cancelled", ...}`: a script must not parse the sentence.
 */
export class CancelledError extends StratlabError {
  override readonly exitCode = 130;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A file or folder given (or derived from one given) cannot be read or written: ENOTDIR, EISDIR, EACCES... */
export class FileError extends StratlabError {}

/** Control characters, DEL, C1 controls and bidi overrides: never printed raw to a terminal. */
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  if (c === "\t") return "\\t";
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` with every control character escaped (\n, \x1b, \u202e), safe to print on one terminal line. */
export function escapeControl(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/**
 * A value from a file or a flag, for a message: a string in double quotes, anything else as
 * JSON; control characters escaped and cut to `max` characters (the length is said), so a
 * data file can neither drive the terminal nor fill it.
 */
export function quote(value: unknown, max = 60): string {
  if (typeof value !== "string") {
    let s: string;
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
    return clip(s, max);
  }
  const body = escapeControl(value.slice(0, max).replace(/["\\]/g, "\\$&"));
  return value.length > max ? `"${body}..." (${value.length} characters)` : `"${body}"`;
}

/** `text` unquoted, control characters escaped, cut to `max` characters (the length is said). */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${escapeControl(text.slice(0, max))}... (${text.length} characters)` : escapeControl(text);
}

/** The longest error line printed (a message that quotes a huge value is cut here). */
export const MAX_MESSAGE_LENGTH = 600;

/** One terminal line: control characters escaped, cut to MAX_MESSAGE_LENGTH. */
export function oneLineMessage(text: string): string {
  const s = escapeControl(text);
  return s.length > MAX_MESSAGE_LENGTH ? `${s.slice(0, MAX_MESSAGE_LENGTH - 20)}... (${s.length} characters)` : s;
}

const FILE_ERROR_CODES = new Set(["ENOENT", "ENOTDIR", "EISDIR", "EACCES", "EPERM", "EROFS", "ENOSPC", "EEXIST", "ELOOP", "ENAMETOOLONG", "EINVAL", "EMFILE", "ENFILE", "EXDEV", "EBUSY", "ENOTEMPTY", "EDQUOT", "EFBIG", "EIO"]);

/** A Node file-system error (it has an errno `code` and a syscall) as a FileError; anything else: null. */
export function fileErrorFrom(err: unknown): FileError | null {
  if (!(err instanceof Error)) return null;
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code !== "string" || !FILE_ERROR_CODES.has(e.code) || (e.syscall === undefined && e.path === undefined)) return null;
  return new FileError(`${e.message}; check the path given (a folder where a file is expected, or the reverse, a missing or read-only folder)`);
}

/** One line for a user: the message of a StratlabError, or a short form of anything else; always one line. */
export function formatError(err: unknown): string {
  const file = err instanceof StratlabError ? null : fileErrorFrom(err);
  if (file) return oneLineMessage(`${file.name}: ${file.message}`);
  if (err instanceof StratlabError) return oneLineMessage(`${err.name}: ${err.message}`);
  if (err instanceof Error) return oneLineMessage(`error: ${err.message}`);
  return oneLineMessage(`error: ${String(err)}`);
}

/** The exit code for an error caught at the CLI boundary: its own for a StratlabError, 2 for a file error, 1 otherwise. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof StratlabError) return err.exitCode;
  return fileErrorFrom(err) ? 2 : 1;
}
