#!/usr/bin/env node
/**
 * The stratlab CLI: `stratlab <command> [options]`. Every command accepts --json and then
 * prints exactly one JSON document on stdout; progress and warnings go to stderr. Any
 * StratlabError ends the process with its exit code (2 for bad input) and one line.
 */
import { parseArgs } from "node:util";
import { formatError, StratlabError, UsageError } from "../errors";
import type { Command, CommandContext } from "./command";
import { COMMANDS } from "./commands";

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
    if (wantsJson) process.stdout.write(JSON.stringify({ error: msg }) + "\n");
    process.stderr.write(msg + "\n");
  };
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const cmd = COMMANDS.find((c) => c.name === rest[0]);
    if (wantsJson) {
      const doc = cmd ? { command: cmd.name, summary: cmd.summary, usage: cmd.usage } : { commands: COMMANDS.map((c) => ({ name: c.name, summary: c.summary })) };
      process.stdout.write(JSON.stringify(doc) + "\n");
    } else process.stdout.write((cmd ? cmd.usage : helpText()) + "\n");
    return 0;
  }
  const cmd: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    emitError(`UsageError: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(", ")}`);
    return 2;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...cmd.options, json: { type: "boolean" }, help: { type: "boolean" } }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${(e as Error).message.split("\n")[0]}; see: stratlab help ${cmd.name}`);
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
      err: (line) => process.stderr.write(line + "\n"),
    };
    const doc = await cmd.run(ctx);
    if (json) process.stdout.write(JSON.stringify(doc ?? {}, jsonReplacer) + "\n");
    return ctx.exitCode ?? 0;
  } catch (e) {
    emitError(formatError(e));
    if (!(e instanceof StratlabError) && process.env.STRATLAB_DEBUG) process.stderr.write(String((e as Error).stack) + "\n");
    return e instanceof StratlabError ? e.exitCode : 1;
  }
}

/** Typed arrays become plain arrays; non-finite numbers become null (JSON has no Infinity). */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

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
      process.exitCode = 1;
    },
  );
}
