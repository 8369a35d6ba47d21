/** Parameter spaces: defaults, validation with actionable messages, snapping to the grid. */
import { ParamError } from "../errors";
import type { ParamSpec, ParamValue, Params, Strategy } from "./types";

export function describeSpec(spec: ParamSpec): string {
  if (spec.type === "choice") return `${spec.anyString ? "a non-empty string or " : ""}one of ${spec.choices.map((c) => JSON.stringify(c)).join(", ")}`;
  const kind = spec.type === "int" ? "an integer" : "a number";
  const step = spec.step ? ` in steps of ${spec.step}` : "";
  return `${kind} in [${spec.low}, ${spec.high}]${step}`;
}

export function defaultParams(strategy: Strategy): Params {
  const p: Params = {};
  for (const spec of strategy.params) p[spec.name] = spec.default;
  return p;
}

/** Snap a numeric value onto the spec's grid (int rounding, float step) and bounds. */
export function snap(spec: ParamSpec, v: number): ParamValue {
  if (spec.type === "choice") return v;
  let x = Math.min(spec.high, Math.max(spec.low, v));
  if (spec.type === "int") {
    const step = spec.step ?? 1;
    x = spec.low + Math.round((x - spec.low) / step) * step;
    if (x > spec.high) x -= step;
    return Math.round(x);
  }
  if (spec.step) {
    x = spec.low + Math.round((x - spec.low) / spec.step) * spec.step;
    if (x > spec.high) x -= spec.step;
    // Remove representation noise such as 30.000000000000004.
    x = Number(x.toPrecision(12));
  }
  return x;
}

function checkValue(strategy: Strategy, spec: ParamSpec, v: unknown): ParamValue {
  const where = `${strategy.name}.${spec.name}`;
  if (spec.type === "choice") {
    if (spec.anyString && typeof v === "string" && v !== "") return v;
    const hit = spec.choices.find((c) => c === v);
    if (hit === undefined) throw new ParamError(`${where} = ${JSON.stringify(v)} is not allowed; use ${describeSpec(spec)}`);
    return hit;
  }
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ParamError(`${where} = ${JSON.stringify(v)} is not a number; use ${describeSpec(spec)}`);
  if (v < spec.low || v > spec.high) throw new ParamError(`${where} = ${v} is out of bounds; use ${describeSpec(spec)}`);
  if (spec.type === "int" && !Number.isInteger(v)) throw new ParamError(`${where} = ${v} is not an integer; use ${describeSpec(spec)}`);
  return v;
}

/**
 * Complete `given` with defaults and validate it: unknown names, types, bounds and
 * constraints. Throws ParamError naming the parameter and what is allowed.
 */
export function validateParams(strategy: Strategy, given: Record<string, unknown>): Params {
  const known = new Set(strategy.params.map((s) => s.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const allowed = strategy.params.map((s) => s.name).join(", ") || "(none)";
      throw new ParamError(`${strategy.name} has no parameter "${name}"; its parameters are: ${allowed}`);
    }
  }
  const p: Params = {};
  for (const spec of strategy.params) p[spec.name] = name_in(given, spec.name) ? checkValue(strategy, spec, given[spec.name]) : spec.default;
  for (const c of strategy.constraints) {
    if (!c.check(p)) throw new ParamError(`${strategy.name}: ${JSON.stringify(p)} violates the constraint ${c.description}`);
  }
  return p;
}

function name_in(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Whether params satisfy every constraint (samplers use this to never propose invalid sets). */
export function satisfies(strategy: Strategy, p: Params): boolean {
  return strategy.constraints.every((c) => c.check(p));
}

/**
 * A warning when `bars` is not more than the strategy's longest window (its largest int
 * parameter, e.g. slow=50): every signal stays 0 in warm-up, so there is no trade at all.
 */
export function warmupWarnings(strategy: Strategy, params: Params, bars: number): string[] {
  let longest: [string, number] | null = null;
  for (const spec of strategy.params) {
    const v = params[spec.name];
    if (spec.type === "int" && typeof v === "number" && (longest === null || v > longest[1])) longest = [spec.name, v];
  }
  if (longest === null || bars > longest[1]) return [];
  return [`the data has ${bars} bar(s), not more than the strategy's longest window (${longest[0]}=${longest[1]}): no signal can form, so there is no trade`];
}

/** Reject a space no sampler can draw from, naming the parameter and the fix. */
export function checkParamSpace(strategy: Strategy): void {
  const names = new Set<string>();
  for (const spec of strategy.params) {
    const where = `${strategy.name}.${spec.name}`;
    if (names.has(spec.name)) throw new ParamError(`${where} is defined twice`);
    names.add(spec.name);
    if (spec.type === "choice") {
      if (spec.choices.length === 0) throw new ParamError(`${where} has no choices`);
      continue;
    }
    if (!Number.isFinite(spec.low) || !Number.isFinite(spec.high) || spec.low > spec.high) {
      throw new ParamError(`${where}: bounds [${spec.low}, ${spec.high}] must be finite with low <= high`);
    }
    if (spec.step !== undefined && !(spec.step > 0 && Number.isFinite(spec.step))) throw new ParamError(`${where}: step ${spec.step} must be a positive number`);
    if (spec.type === "int" && (!Number.isInteger(spec.low) || !Number.isInteger(spec.step ?? 1))) {
      throw new ParamError(`${where}: an int parameter needs an integer low and step`);
    }
    if (spec.log && !(spec.low > 0)) throw new ParamError(`${where}: a log-scale parameter needs low > 0 (got ${spec.low})`);
  }
}
