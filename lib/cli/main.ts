#!/usr/bin/env node
/**
 * The stratlab CLI: `stratlab <command> [options]`. Every command accepts --json and then
 * prints exactly one JSON document on stdout; progress and warnings go to stderr. Any
 * StratlabError ends the process with its exit code (2 for bad input) and one line.
 */
import { parseArgs } from "node:util";
import { CancelledError, escapeControl, exitCodeOf, formatError, quote, StratlabError, UsageError } from "../errors";
import { PACKAGE_VERSION } from "../paths";
import { attachNegativeNumbers } from "./args";
import type { Command, CommandContext } from "./command";
import { COMMANDS } from "./commands";
import { formatJsonDocument } from "./json-output";

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: stratlab <command> [options] [--json]",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "stratlab help <command> shows a command's options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = rest.includes("--json");
  const emitError = (msg: string) => {
    if (wantsJson) process.stdout.write(formatJsonDocument({ error: msg }) + "\n");
    process.stderr.write(msg + "\n");
  };
  if (name === "--version" || name === "-V" || name === "version") {
    process.stdout.write((wantsJson ? formatJsonDocument({ version: PACKAGE_VERSION }) : `stratlab ${PACKAGE_VERSION}`) + "\n");
    return 0;
  }
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const topic = rest.find((a) => !a.startsWith("-"));
    const cmd = COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && cmd === undefined) {
      emitError(`UsageError: no command ${quote(topic)}; commands: ${COMMANDS.map((c) => c.name).join(", ")}`);
      return 2;
    }
    if (wantsJson) {
      const doc = cmd ? { command: cmd.name, summary: cmd.summary, usage: cmd.usage } : { commands: COMMANDS.map((c) => ({ name: c.name, summary: c.summary })) };
      process.stdout.write(formatJsonDocument(doc) + "\n");
    } else process.stdout.write((cmd ? cmd.usage : helpText()) + "\n");
    return 0;
  }
  const cmd: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    emitError(`UsageError: unknown command ${quote(name)}; commands: ${COMMANDS.map((c) => c.name).join(", ")}; stratlab --version prints the version`);
    return 2;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: attachNegativeNumbers(rest, cmd.options), options: { ...cmd.options, json: { type: "boolean" }, help: { type: "boolean" } }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${(e as Error).message.split("\n")[0]!.replace(/\. To specify an option argument starting with a dash use .*$/, "")}; see: stratlab help ${cmd.name}`);
    }
    if (parsed.values.help) {
      process.stdout.write(cmd.usage + "\n");
      return 0;
    }
    const json = parsed.values.json === true;
    const ctx: CommandContext = {
      values: parsed.values,
      positionals: parsed.positionals,
      json,
      out: (line) => (json ? process.stderr : process.stdout).write(line + "\n"),
      // Warnings quote values read from files: never let them drive the terminal.
      err: (line) => process.stderr.write(escapeControl(line) + "\n"),
    };
    const doc = await cmd.run(ctx);
    if (json) process.stdout.write(formatJsonDocument(doc ?? {}) + "\n");
    return ctx.exitCode ?? 0;
  } catch (e) {
    if (wantsJson && e instanceof CancelledError) {
      // A structured outcome, not prose: status, ids, where it stopped, how to resume.
      process.stdout.write(formatJsonDocument({ status: "cancelled", ...e.details, message: formatError(e) }) + "\n");
      process.stderr.write(formatError(e) + "\n");
      return e.exitCode;
    }
    emitError(formatError(e));
    if (!(e instanceof StratlabError) && process.env.STRATLAB_DEBUG) process.stderr.write(String((e as Error).stack) + "\n");
    return exitCodeOf(e);
  }
}

export { jsonReplacer } from "./json-output";

if (require.main === module) {
  // `stratlab ... | head` closes the pipe early: that is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(formatError(e) + "\n");
      process.exitCode = exitCodeOf(e);
    },
  );
}
