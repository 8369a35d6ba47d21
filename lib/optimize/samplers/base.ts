/**
 * What every sampler is, and the admission every proposal goes through.
 *
 * A sampler is a pure function (docs/samplers.md): batch k of a study is proposed from
 * the completed trials with id < k*B and an RNG seeded for batch k, so replaying the
 * journal reproduces every proposal whatever the number of workers or the order results
 * came back in. Samplers keep no state between calls beyond memos of pure functions.
 */
import { ParamError } from "../../errors";
import { satisfies } from "../../strategies/params";
import type { Constraint, ParamSpec, ParamValue, Params, Strategy } from "../../strategies/types";
import type { Rng } from "../../random/rng";
import { allLevels, checkSpace, levelCount, paramKey, product, sampleParam, sampleParams, spaceSize, stepOf, toAxis } from "./space";

export interface TrialRecord {
  id: number;
  params: Params;
  /** The objective (maximised); null for a failed or pruned trial. */
  value: number | null;
  /** Multi-objective studies: every objective, each oriented to be maximised (absent when any is missing). */
  values?: number[];
}

export interface ProposeContext {
  /** Parameter space and constraints. */
  strategy: Strategy;
  /** Completed trials with id < firstId, in id order. */
  history: readonly TrialRecord[];
  /** Id of the first trial in this batch. */
  firstId: number;
  /** Batch size. */
  count: number;
  /** Seeded for this batch (e.g. Rng.derive(seed, study, k)). */
  rng: Rng;
  /** The study's budget (the grid sizes itself by it). */
  totalTrials: number;
  /** The study's seed, for orders fixed across a whole study (the grid's shuffle); 0 when absent. */
  seed?: number;
}

export interface Sampler {
  readonly name: string;
  /**
   * Exactly `count` parameter sets, each satisfying the strategy's constraints and, while
   * the space allows, distinct from each other and from every trial in `history` (the
   * grid's own points excepted: it does not look at the history).
   */
  propose(ctx: ProposeContext): Params[];
}

/**
 * The trials a proposal may depend on: those with id < firstId, in id order. The study
 * passes exactly these; filtering here makes a proposal independent of anything else
 * (e.g. later trials already in the journal during a replay).
 */
export function pastTrials(ctx: ProposeContext): readonly TrialRecord[] {
  const h = ctx.history;
  let ordered = true;
  for (let i = 0; i < h.length; i++) {
    if (h[i].id >= ctx.firstId || (i > 0 && h[i].id <= h[i - 1].id)) {
      ordered = false;
      break;
    }
  }
  if (ordered) return h;
  return h.filter((t) => t.id < ctx.firstId).sort((x, y) => x.id - y.id);
}

/** A usable objective value: NaN counts as failed. */
export function hasValue(t: TrialRecord): t is TrialRecord & { value: number } {
  return typeof t.value === "number" && !Number.isNaN(t.value);
}

/**
 * Keys of the parameter sets already tried. Memoised across calls: the history of batch
 * k+1 extends that of batch k, so only the new records are keyed (the memo is checked
 * record by record and rebuilt on any difference, so it never changes a result).
 */
export class SeenKeys {
  private records: TrialRecord[] = [];
  private keys = new Set<string>();
  private strategy: Strategy | undefined;

  of(strategy: Strategy, history: readonly TrialRecord[]): ReadonlySet<string> {
    let same = strategy === this.strategy && this.records.length <= history.length;
    for (let i = 0; same && i < this.records.length; i++) same = this.records[i] === history[i];
    if (!same) {
      this.records = [];
      this.keys = new Set();
      this.strategy = strategy;
    }
    for (let i = this.records.length; i < history.length; i++) {
      this.records.push(history[i]);
      this.keys.add(paramKey(strategy, history[i].params));
    }
    return this.keys;
  }
}

/** Retries of a sampler's own draw before repairing (rejection sampling of constraints and duplicates). */
export const DRAW_ROUNDS = 16;
/** Uniform draws of the last-resort fallback before enumerating or giving up. */
const FALLBACK_DRAWS = 256;
/** Spaces up to this many points are enumerated when draws keep failing (a tiny or exhausted space)... */
const ENUMERATION_LIMIT = 200_000;
/** ...and up to this many, at once, without further draws. */
const SMALL_SPACE = 4096;

/**
 * Candidates for one batch member, most preferred first. `round` counts the retries;
 * `batch` holds the members already chosen (TPE's constant liar uses them).
 */
export type Draw = (round: number, batch: readonly Params[]) => readonly Params[];

/**
 * Fill a batch: for each member, the first candidate of `draw` that satisfies the
 * constraints and is new; after DRAW_ROUNDS rounds, a repair of the first candidate;
 * then uniform draws; then, for small spaces, a choice among the unused valid points, or
 * among all valid points once the space is exhausted (the only case with duplicates).
 */
export function fillBatch(ctx: ProposeContext, seen: ReadonlySet<string>, draw: Draw, rounds = DRAW_ROUNDS): Params[] {
  const { strategy, rng } = ctx;
  checkSpace(strategy);
  const inBatch = new Set<string>();
  const isNew = (p: Params) => {
    const k = paramKey(strategy, p);
    return !seen.has(k) && !inBatch.has(k);
  };
  const admissible = (p: Params) => satisfies(strategy, p) && isNew(p);
  let valid: Params[] | undefined;
  const validPoints = () => {
    if (valid === undefined && spaceSize(strategy) <= ENUMERATION_LIMIT) {
      valid = product(strategy.params, strategy.params.map(allLevels)).filter((q) => satisfies(strategy, q));
    }
    return valid;
  };
  const batch: Params[] = [];
  for (let i = 0; i < ctx.count; i++) {
    let p: Params | undefined;
    let first: Params | undefined;
    // A small space with every valid point used: straight to the (repeating) fallback.
    const exhausted = spaceSize(strategy) <= SMALL_SPACE && !(validPoints() ?? []).some(isNew);
    for (let r = 0; r < rounds && p === undefined && !exhausted; r++) {
      for (const c of draw(r, batch)) {
        first ??= c;
        if (admissible(c)) {
          p = c;
          break;
        }
      }
    }
    if (p === undefined && first !== undefined && !exhausted) p = repair(strategy, first, rng, admissible);
    p ??= fallback(strategy, rng, admissible, validPoints);
    inBatch.add(paramKey(strategy, p));
    batch.push(p);
  }
  return batch;
}

/** Names of the parameters a constraint reads (observed through a Proxy). */
function readBy(c: Constraint, p: Params): Set<string> {
  const names = new Set<string>();
  const probe = new Proxy(p, {
    get(target, key, receiver) {
      if (typeof key === "string") names.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  c.check(probe);
  return names;
}

/** Levels tried when resampling one parameter conditionally: all of them up to this many, else random draws. */
const CONDITIONAL_LEVELS = 4096;
const CONDITIONAL_DRAWS = 64;

/**
 * Make a candidate admissible with small changes, most conservative first:
 * 1. swap the values of two numeric parameters a violated constraint reads ("sort":
 *    fast 400 / slow 10 becomes fast 10 / slow 400);
 * 2. resample one parameter conditionally on the others (of the candidate or of a swap):
 *    among all its levels that make the point admissible, uniformly when a constraint
 *    was violated, the nearest when the candidate only repeated a trial;
 * 3. resample two parameters together, uniformly, a bounded number of times.
 * Only the parameters read by a violated constraint change (all of them for a repeat).
 */
export function repair(strategy: Strategy, p: Params, rng: Rng, admissible: (p: Params) => boolean): Params | undefined {
  const violated = strategy.constraints.filter((c) => !c.check(p));
  const involvedNames = new Set<string>();
  for (const c of violated) for (const n of readBy(c, p)) involvedNames.add(n);
  const specs = strategy.params.filter((s) => violated.length === 0 || involvedNames.has(s.name));

  const bases = [p];
  for (let i = 0; i < specs.length; i++) {
    for (let j = i + 1; j < specs.length; j++) {
      const q = swapped(specs[i], specs[j], p);
      if (q === undefined) continue;
      if (admissible(q)) return q;
      bases.push(q);
    }
  }
  const nearest = violated.length === 0;
  for (const q of bases) {
    for (const spec of rng.shuffle([...specs])) {
      const values = conditionalValues(spec, rng).filter((v) => v !== q[spec.name]);
      // Tried lazily: nearest first, or in random order (the first admissible one is then uniform among them).
      for (const v of nearest ? byDistance(spec, rng.shuffle(values), q[spec.name]) : rng.shuffle(values)) {
        const r = { ...q, [spec.name]: v };
        if (admissible(r)) return r;
      }
    }
  }
  for (let attempt = 0; specs.length >= 2 && attempt < 64 * specs.length; attempt++) {
    const i = rng.int(0, specs.length - 1);
    const j = (i + rng.int(1, specs.length - 1)) % specs.length;
    const q = { ...p, [specs[i].name]: sampleParam(specs[i], rng), [specs[j].name]: sampleParam(specs[j], rng) };
    if (admissible(q)) return q;
  }
  return undefined;
}

/** Every level of a parameter when there are few enough, else uniform draws. */
function conditionalValues(spec: ParamSpec, rng: Rng): ParamValue[] {
  if (levelCount(spec) <= CONDITIONAL_LEVELS) return allLevels(spec);
  return Array.from({ length: CONDITIONAL_DRAWS }, () => sampleParam(spec, rng));
}

/** Values sorted by distance from `v` on the parameter's axis, stably (choices keep their order). */
function byDistance(spec: ParamSpec, values: ParamValue[], v: ParamValue | undefined): ParamValue[] {
  if (spec.type === "choice" || typeof v !== "number" || (spec.log && !(v > 0))) return values;
  const x = toAxis(spec, v);
  const d = (w: ParamValue) => Math.abs(toAxis(spec, w as number) - x);
  return values.map((w) => ({ w, d: d(w) })).sort((p, q) => p.d - q.d).map((e) => e.w);
}

function onGrid(spec: ParamSpec, v: unknown): boolean {
  if (spec.type === "choice") return spec.choices.includes(v as never);
  if (typeof v !== "number" || v < spec.low || v > spec.high) return false;
  const step = stepOf(spec);
  if (spec.type === "int" && !Number.isInteger(v)) return false;
  return step === 0 || Math.abs((v - spec.low) / step - Math.round((v - spec.low) / step)) < 1e-9;
}

function swapped(x: ParamSpec, y: ParamSpec, p: Params): Params | undefined {
  if (x.type === "choice" || y.type === "choice") return undefined;
  const vx = p[x.name];
  const vy = p[y.name];
  if (vx === vy || !onGrid(x, vy) || !onGrid(y, vx)) return undefined;
  return { ...p, [x.name]: vy, [y.name]: vx };
}

/**
 * The last resort: small spaces are enumerated at once (the valid points, memoised for
 * the batch); larger ones get uniform draws with repairs, then enumeration when still
 * feasible. A repeat only when every valid point has been used.
 */
function fallback(strategy: Strategy, rng: Rng, admissible: (p: Params) => boolean, validPoints: () => Params[] | undefined): Params {
  const fromEnumeration = (): Params | undefined => {
    const all = validPoints();
    if (all === undefined) return undefined;
    if (all.length === 0) throw unsatisfiable(strategy);
    const fresh = all.filter(admissible);
    return rng.choice(fresh.length > 0 ? fresh : all); // exhausted: a repeat is the only answer
  };
  if (spaceSize(strategy) <= SMALL_SPACE) return fromEnumeration() as Params;
  let valid: Params | undefined;
  for (let i = 0; i < FALLBACK_DRAWS; i++) {
    const q = sampleParams(strategy, rng);
    if (admissible(q)) return q;
    if (valid === undefined && satisfies(strategy, q)) valid = q;
    const fixed = i < FALLBACK_DRAWS / 8 ? repair(strategy, q, rng, admissible) : undefined;
    if (fixed !== undefined) return fixed;
  }
  const p = fromEnumeration() ?? valid;
  if (p === undefined) throw unsatisfiable(strategy);
  return p;
}

function unsatisfiable(strategy: Strategy): ParamError {
  const cs = strategy.constraints.map((c) => c.description).join(", ");
  return new ParamError(`${strategy.name}: found no parameter set satisfying ${cs || "its constraints"}; check the bounds against the constraints`);
}
