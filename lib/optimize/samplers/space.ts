/**
 * The search space as samplers see it. Every numeric parameter lives on an "internal"
 * axis: the value itself, or its logarithm when `log` is set. Grid parameters (ints, and
 * floats with a step) own a bin of half a step either side of each level, so the axis
 * runs from (low - step/2) to (top + step/2): uniform sampling on it followed by `snap`
 * gives every level its fair share, in log space too (as Optuna's search-space transform).
 */
import { ParamError } from "../../errors";
import { snap } from "../../strategies/params";
import type { ChoiceParam, FloatParam, IntParam, ParamSpec, ParamValue, Params, Strategy } from "../../strategies/types";
import type { Rng } from "../../random/rng";

export type NumericSpec = IntParam | FloatParam;

/** Step of a grid parameter, or 0 for a continuous float. */
export function stepOf(spec: NumericSpec): number {
  return spec.type === "int" ? (spec.step ?? 1) : (spec.step ?? 0);
}

/** The highest level on the grid (low + k * step <= high), or high when continuous. */
export function topOf(spec: NumericSpec): number {
  const step = stepOf(spec);
  if (step === 0) return spec.high;
  return spec.low + Math.floor((spec.high - spec.low) / step + 1e-9) * step;
}

const forward = (spec: NumericSpec, v: number) => (spec.log ? Math.log(v) : v);
const backward = (spec: NumericSpec, x: number) => (spec.log ? Math.exp(x) : x);

/** The internal axis [a, b] of a numeric parameter (bins included). */
export function axisOf(spec: NumericSpec): { a: number; b: number } {
  const half = stepOf(spec) / 2;
  // A log axis cannot reach 0: a grid starting at or below half a step keeps its bare low.
  const lo = spec.low - half > 0 || !spec.log ? spec.low - half : spec.low;
  return { a: forward(spec, lo), b: forward(spec, topOf(spec) + half) };
}

/** A value's position on the internal axis. */
export function toAxis(spec: NumericSpec, v: number): number {
  return forward(spec, v);
}

/** The parameter value at an internal position: back-transformed, snapped and clamped. */
export function fromAxis(spec: NumericSpec, x: number): number {
  let v = backward(spec, x);
  if (stepOf(spec) === 0 && spec.type === "float") v = Number(v.toPrecision(15)); // exp(log(v)) noise
  return snap(spec, v) as number;
}

/** The bin [lo, hi] of a grid value on the internal axis; undefined for a continuous float. */
export function binOf(spec: NumericSpec, v: number): { lo: number; hi: number } | undefined {
  const step = stepOf(spec);
  if (step === 0) return undefined;
  const { a, b } = axisOf(spec);
  return { lo: Math.max(a, forward(spec, Math.max(v - step / 2, Number.MIN_VALUE))), hi: Math.min(b, forward(spec, v + step / 2)) };
}

/** Position in [0, 1] along the internal axis (evolution works there). */
export function toUnit(spec: NumericSpec, v: number): number {
  const { a, b } = axisOf(spec);
  return b > a ? (forward(spec, v) - a) / (b - a) : 0.5;
}

export function fromUnit(spec: NumericSpec, u: number): number {
  const { a, b } = axisOf(spec);
  return fromAxis(spec, a + (b - a) * u);
}

/** A uniform draw: uniform on the internal axis (log-uniform when `log`), snapped. */
export function sampleParam(spec: ParamSpec, rng: Rng): ParamValue {
  if (spec.type === "choice") return rng.choice(spec.choices);
  const { a, b } = axisOf(spec);
  return fromAxis(spec, rng.uniform(a, b));
}

export function sampleParams(strategy: Strategy, rng: Rng): Params {
  const p: Params = {};
  for (const spec of strategy.params) p[spec.name] = sampleParam(spec, rng);
  return p;
}

/** How many values a parameter can take (Infinity for a continuous float). */
export function levelCount(spec: ParamSpec): number {
  if (spec.type === "choice") return spec.choices.length;
  const step = stepOf(spec);
  return step === 0 ? Infinity : Math.round((topOf(spec) - spec.low) / step) + 1;
}

/** Every value of a grid parameter, ascending (choices in their order). */
export function allLevels(spec: ParamSpec): ParamValue[] {
  if (spec.type === "choice") return [...spec.choices];
  const n = levelCount(spec);
  if (!Number.isFinite(n)) throw new RangeError(`${spec.name} is continuous`);
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(snap(spec, spec.low + k * stepOf(spec)) as number);
  return out;
}

/** Number of points in the whole space, before constraints (Infinity when any float is continuous). */
export function spaceSize(strategy: Strategy): number {
  return strategy.params.reduce((n, spec) => n * levelCount(spec), 1);
}

/** Cartesian product of per-parameter value lists, in lexicographic order (first parameter slowest). */
export function product(specs: readonly ParamSpec[], values: readonly (readonly ParamValue[])[]): Params[] {
  let out: Params[] = [{}];
  specs.forEach((spec, d) => {
    const next: Params[] = [];
    for (const p of out) for (const v of values[d]) next.push({ ...p, [spec.name]: v });
    out = next;
  });
  return out;
}

/** Identity of a parameter set within a strategy's space (duplicate detection). */
export function paramKey(strategy: Strategy, p: Params): string {
  return JSON.stringify(strategy.params.map((s) => p[s.name] ?? null));
}

/** The index of a choice value, or -1. */
export function choiceIndex(spec: ChoiceParam, v: ParamValue | undefined): number {
  return v === undefined ? -1 : spec.choices.indexOf(v);
}

/** Reject a space no sampler can draw from (defined with the strategies: defineStrategy checks it too). */
export { checkParamSpace as checkSpace } from "../../strategies/params";
