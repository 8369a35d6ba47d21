/** Typed accessors for option values, each failing with one line naming the option. */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { CheckpointPolicyConfig } from "../checkpoint";
import { quote, UsageError } from "../errors";
import { SEARCH_LIMITS } from "../optimize/config";
import type { CommandContext, OptionSpec, Values } from "./command";

/**
 * Upper bounds of numeric flags (every command uses these, so the same flag has the same
 * bound everywhere; the search's own come from optimize/config); each error says the bound.
 */
export const BOUNDS = {
  ...SEARCH_LIMITS,
  reportFrequency: 1_000_000,
  top: 10_000,
  days: 36_500,
  price: 1e12,
  bars: 1e9,
  generatedBars: 10_000_000,
  minutes: 525_600,
} as const;

/** Bounds of --max-workers on this machine: at most BOUNDS.workersPerCore x the cores, saying so. */
export function workerBounds(): { int: true; min: number; max: number; why: string } {
  const cores = availableParallelism();
  return { int: true, min: 1, max: BOUNDS.workersPerCore * cores, why: `${BOUNDS.workersPerCore} x the ${cores} cores` };
}

/**
 * parseArgs reads `--trade-size -1` as two options and answers "argument is ambiguous": a
 * value that looks like a negative number after a string option is joined to it
 * (`--trade-size=-1`), so the flag's own check names what is wrong.
 */
export function attachNegativeNumbers(args: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const opt = a.startsWith("--") && !a.includes("=") ? options[a.slice(2)] : undefined;
    if (opt?.type === "string" && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function required(values: Values, name: string, hint = ""): string {
  const v = str(values, name);
  if (v === undefined || v === "") throw new UsageError(`--${name} is required${hint ? `; ${hint}` : ""}`);
  return v;
}

export function num(values: Values, name: string, opts: { min?: number; max?: number; int?: boolean; why?: string } = {}): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const x = Number(v);
  const kind = opts.int ? "an integer" : "a number";
  const range = `${opts.min !== undefined ? ` >= ${opts.min}` : ""}${opts.max !== undefined ? `${opts.min !== undefined ? " and" : ""} <= ${opts.max}` : ""}`;
  if (v.trim() === "" || !Number.isFinite(x) || (opts.int && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min) || (opts.max !== undefined && x > opts.max)) {
    throw new UsageError(`--${name} ${quote(v)} must be ${kind}${range}${opts.why ? ` (${opts.why})` : ""}`);
  }
  return x;
}

/** A comma-separated list of positive numbers up to `max` each, at most `count` of them, e.g. --trade-size 1000,10000. */
export function numList(values: Values, name: string, opts: { max?: number; count?: number } = {}): number[] | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const max = opts.max ?? BOUNDS.tradeSize;
  const count = opts.count ?? BOUNDS.tradeSizes;
  const parts = v.split(",").map((s) => s.trim());
  const xs = parts.map(Number);
  if (parts.length > count) throw new UsageError(`--${name} lists ${parts.length} values; at most ${count} are allowed`);
  if (parts.some((p) => p === "") || xs.some((x) => !Number.isFinite(x) || x <= 0 || x > max)) {
    throw new UsageError(`--${name} ${quote(v)} must be a positive number <= ${max} or a comma-separated list of them, e.g. 1000,10000`);
  }
  return xs;
}

/**
 * The checkpoint policy of a long operation from --checkpoint-every N (units: bars, epochs;
 * 0 for none by units) and --checkpoint-minutes M (whichever comes first).
 */
export function checkpointPolicy(values: Values, defaultEvery: number, maxEvery: number): CheckpointPolicyConfig {
  const every = num(values, "checkpoint-every", { int: true, min: 0, max: maxEvery }) ?? defaultEvery;
  const minutes = num(values, "checkpoint-minutes", { min: Number.MIN_VALUE, max: BOUNDS.minutes });
  return { ...(every > 0 ? { everyUnits: every } : {}), ...(minutes !== undefined ? { everyMinutes: minutes } : {}) };
}

export function list(values: Values, name: string): string[] | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  return v.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** A JSON object given inline or as @file. */
export function jsonObject(values: Values, name: string): Record<string, unknown> | undefined {
  let v = str(values, name);
  if (v === undefined) return undefined;
  if (v.startsWith("@")) {
    try {
      v = readFileSync(v.slice(1), "utf8");
    } catch {
      throw new UsageError(`--${name}: cannot read ${quote(v.slice(1), 200)}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch (e) {
    throw new UsageError(`--${name} is not valid JSON (${(e as Error).message.replace(/\s+/g, " ")}); example: --${name} '{"fast":20,"slow":100}'`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError(`--${name} must be a JSON object, e.g. '{"fast":20,"slow":100}'`);
  return parsed as Record<string, unknown>;
}

/** The sub-command (first positional), checked against the known ones. */
export function subcommand(ctx: CommandContext, command: string, known: string[]): string {
  const sub = ctx.positionals[0];
  if (sub === undefined) throw new UsageError(`${command} needs a sub-command: ${known.join(", ")}; see: stratlab help ${command}`);
  if (!known.includes(sub)) throw new UsageError(`unknown sub-command ${quote(`${command} ${sub}`)}; sub-commands: ${known.join(", ")}`);
  return sub;
}

/** Refuses options that belong to another sub-command (`list --max-age` is a mistake, not a no-op). */
export function checkSubcommandOptions(ctx: CommandContext, command: string, sub: string, allowed: string[]): void {
  for (const [k, v] of Object.entries(ctx.values)) {
    if (v === undefined || k === "json" || k === "help" || allowed.includes(k)) continue;
    throw new UsageError(`--${k} does not apply to "${command} ${sub}"${allowed.length ? `; it takes ${allowed.map((a) => "--" + a).join(", ")}` : ""}`);
  }
}

/** An option restricted to a set of values. */
export function oneOf<T extends string>(values: Values, name: string, allowed: readonly T[]): T | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} ${quote(v)} must be one of ${allowed.join(", ")}`);
  return v as T;
}
