/**
 * A CLI command: its options (node:util parseArgs form), its help, and a handler that
 * returns the JSON document to print with --json and writes human output itself.
 * Handlers call the library; parsing and formatting stay here (the CLI is thin).
 */
import type { ParseArgsConfig } from "node:util";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CommandContext {
  /** Parsed option values. */
  values: Values;
  /** Positional arguments after the command name (and sub-command, if any). */
  positionals: string[];
  /** --json: print exactly one JSON document on stdout, everything else to stderr. */
  json: boolean;
  /** Human output (stdout without --json, stderr with it). */
  out: (line: string) => void;
  /** Progress and warnings: always stderr. */
  err: (line: string) => void;
  /** Set by a handler to end with this exit code after its document is printed (e.g. 3: complete with failures). */
  exitCode?: number;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage lines shown by `stratlab help NAME` and on a usage error. */
  readonly usage: string;
  readonly options: OptionSpec;
  /** Returns the --json document (ignored without --json), or undefined for none. */
  readonly run: (ctx: CommandContext) => Promise<unknown> | unknown;
}
