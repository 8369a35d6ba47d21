/**
 * The one JSON document a command prints with --json: `schema_version` first, then the
 * command's fields with every key in snake_case (the library's camelCase records become
 * `created_at`, `operation_id`...), typed arrays as arrays and non-finite numbers as null.
 * Keys that are data rather than names are kept as they are: a strategy's parameter names
 * (under `params`). docs/schemas/ holds each command's JSON Schema.
 */

/** Bumped when a field is renamed or removed (adding one keeps it). */
export const SCHEMA_VERSION = 1;

/** Objects under these keys map user-chosen names to values: their keys are not converted. */
const VERBATIM_KEYS = new Set(["params"]);

export function snakeCase(key: string): string {
  return /[A-Z]/.test(key) && /^[A-Za-z][A-Za-z0-9]*$/.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
}

/** JSON.stringify replacer: typed arrays become arrays, non-finite numbers null, keys snake_case. */
export function jsonReplacer(key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  if (value === null || typeof value !== "object" || Array.isArray(value) || VERBATIM_KEYS.has(key)) return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[snakeCase(k)] = v;
  return out;
}

/** The text of a command's --json document (one line). */
export function formatJsonDocument(doc: unknown): string {
  const body = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? doc : { result: doc ?? null };
  return JSON.stringify({ schema_version: SCHEMA_VERSION, ...body }, jsonReplacer);
}
