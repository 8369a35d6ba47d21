/**
 * One quote answer: the numbers at dotted paths of a JSON document, checked (a number,
 * impact in [0, 1), gas >= 0); and the whole set checked for impact not decreasing with
 * size. Pure: every failure is a message naming the size and the field.
 */

/** How the source states impact: a fraction (0.003), a percentage (0.3) or basis points (30). */
export type ImpactUnit = "fraction" | "percent" | "bps";
export const IMPACT_UNITS: readonly ImpactUnit[] = ["fraction", "percent", "bps"];
const UNIT_SCALE: Record<ImpactUnit, number> = { fraction: 1, percent: 100, bps: 10_000 };

export interface Answer {
  size: number;
  /** Fraction of the notional, [0, 1). */
  impact: number;
  /** Quote currency per swap, when the source states it. */
  gas?: number;
  /** HTTP requests this answer took (1 + retries). */
  attempts: number;
}

/** A dotted path must name keys (or array indices): `data.priceImpact`, `quotes.0.impact`. */
export function checkPath(path: string, option: string): string | undefined {
  if (path === "" || path.split(".").some((p) => p === "")) return `${option} ${JSON.stringify(path)} must be a dotted path such as data.priceImpact`;
  return undefined;
}

/** The value at a dotted path, or undefined when any step is missing. */
export function valueAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split(".")) {
    if (typeof cur !== "object" || cur === null || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * A finite number at `path`: a JSON number, or a string holding exactly one (many quote
 * APIs send decimals as strings to keep their precision). Otherwise a message.
 */
export function numberAt(doc: unknown, path: string): number | string {
  const v = valueAt(doc, path);
  if (v === undefined) return `the answer has no field "${path}"`;
  const x = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(x)) return `"${path}" is ${JSON.stringify(v)?.slice(0, 40)}, not a number`;
  return x;
}

export interface AnswerPaths {
  impactPath: string;
  impactUnit: ImpactUnit;
  /** Per-answer gas; when absent the command's --gas is used. */
  gasPath?: string;
}

/** Reads and validates one parsed answer; a string is what is wrong with it. */
export function readAnswer(doc: unknown, size: number, paths: AnswerPaths, attempts: number): Answer | string {
  const raw = numberAt(doc, paths.impactPath);
  if (typeof raw === "string") return raw;
  const impact = raw / UNIT_SCALE[paths.impactUnit];
  if (!(impact >= 0 && impact < 1)) return `impact ${raw}${paths.impactUnit === "fraction" ? "" : ` ${paths.impactUnit}`} at "${paths.impactPath}" is outside [0, 1) as a fraction${paths.impactUnit === "fraction" ? " (is it a percentage? see --impact-unit)" : ""}`;
  if (paths.gasPath === undefined) return { size, impact, attempts };
  const gas = numberAt(doc, paths.gasPath);
  if (typeof gas === "string") return gas;
  if (gas < 0) return `gas ${gas} at "${paths.gasPath}" is negative`;
  return { size, impact, gas, attempts };
}

export interface MonotoneBreak {
  smaller: number;
  larger: number;
  smallerImpact: number;
  largerImpact: number;
}

/** Every place where a larger size has a smaller impact than the size before it (answers sorted by size). */
export function monotoneBreaks(answers: readonly Answer[]): MonotoneBreak[] {
  const out: MonotoneBreak[] = [];
  for (let i = 1; i < answers.length; i++) {
    const a = answers[i - 1]!;
    const b = answers[i]!;
    if (b.impact < a.impact) out.push({ smaller: a.size, larger: b.size, smallerImpact: a.impact, largerImpact: b.impact });
  }
  return out;
}

export function describeBreaks(breaks: readonly MonotoneBreak[]): string {
  const first = breaks[0]!;
  const more = breaks.length > 1 ? ` (and ${breaks.length - 1} more)` : "";
  const show = (x: number) => Number(x.toPrecision(6));
  return `impact decreases with size: ${first.smaller} -> ${show(first.smallerImpact)}, ${first.larger} -> ${show(first.largerImpact)}${more}`;
}
