/** Durations as people type them: 500ms, 30s, 30m, 12h, 7d, 2w. */
import { quote, UsageError } from "../errors";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The longest duration accepted: about 100 years (a bigger one is a typo, and 1e400d is Infinity). */
export const MAX_DURATION_MS = 5218 * 604_800_000;

/** Milliseconds in a duration such as `7d`; `what` names the option in the error. */
export function parseDuration(text: string, what = "duration"): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|[smhdw])\s*$/i.exec(text);
  if (m === null) throw new UsageError(`${what} ${quote(text)} must be a duration like 7d, 12h, 30m or 45s`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
  if (!(ms <= MAX_DURATION_MS)) throw new UsageError(`${what} ${quote(text)} is longer than ${MAX_DURATION_MS / UNIT_MS.w!} weeks (about 100 years)`);
  return ms;
}

/** Accepts milliseconds or a duration string. */
export function toMs(value: number | string, what = "duration"): number {
  if (typeof value === "string") return parseDuration(value, what);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`${what} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/** The largest whole unit: 3d, 5h, 12m, 40s. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  for (const u of ["w", "d", "h", "m"] as const) if (abs >= UNIT_MS[u]!) return `${Math.floor(ms / UNIT_MS[u]!)}${u}`;
  return `${Math.floor(ms / 1000)}s`;
}
