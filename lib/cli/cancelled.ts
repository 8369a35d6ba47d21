/**
 * A cancelled operation's error as the CLI reports it: the resume command names a
 * non-default checkpoint root, and the structured document (--json) says where it stopped.
 */
import { CancelledError } from "../errors";

export function cancelledWithRoot(e: CancelledError, root: string | undefined, unit: "bar" | "epoch", extra: Record<string, unknown> = {}): CancelledError {
  const d = e.details;
  const rootArg = root !== undefined ? ` --root ${root}` : "";
  const resume = typeof d.resume_command === "string" ? d.resume_command + rootArg : null;
  const message = root !== undefined && /resume with: stratlab operations resume \S+$/.test(e.message) ? `${e.message}${rootArg}` : e.message;
  return new CancelledError(message, { ...d, [unit]: typeof d.unit === "number" ? d.unit : null, resume_command: resume, ...extra });
}
