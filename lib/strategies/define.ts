/**
 * Your own strategy: `defineStrategy({ name, description, params, constraints, signal })`
 * checks the parameter space as the built-ins' is checked, registers the strategy by name
 * (evaluate, optimize, overlays: "my_sma+regime") and records how a worker thread gets it:
 *
 * - defined in a notebook cell or a script: the signal's own source, which must be
 *   self-contained (signal-source.ts; a one-line ParamError at definition otherwise);
 * - defined in a file given to --strategy-file / loadCodeFile: the file, which each
 *   worker loads itself, so the signal may use anything the module can.
 *
 * Constraints are only checked where trials are proposed (the main thread), so they may
 * use anything. Every user strategy has a sha256 of its code, recorded in a run's manifest.
 */
import { createHash } from "node:crypto";
import { ParamError } from "../errors";
import { checkParamSpace, defaultParams, validateParams } from "./params";
import { isBuiltIn, registerStrategy } from "./registry";
import { compileSignal, selfContained } from "./signal-source";
import type { Constraint, ParamSpec, Strategy } from "./types";

export interface StrategyDefinition {
  name: string;
  description?: string;
  params: readonly ParamSpec[];
  constraints?: readonly Constraint[];
  signal: Strategy["signal"];
}

/** How a worker thread gets a user strategy: plain, cloneable data. */
export type StrategyCode =
  | { kind: "source"; name: string; description: string; params: readonly ParamSpec[]; signal: string; namespaces: string[]; sha256: string }
  | { kind: "file"; name: string; file: string; sha256: string };

const codes = new Map<string, { code: StrategyCode; signal: Strategy["signal"] }>();
/**
 * Set while a code file is being loaded: strategies defined then belong to that file. A
 * global slot, because the file's own `require("stratlab")` may load another copy of this
 * module (the compiled package) than the one loading the file (e.g. TypeScript sources).
 */
const LOADING = Symbol.for("stratlab.definingFromFile");
type Slot = { [LOADING]?: { file: string; sha256: string } | null };
const slot = globalThis as Slot;

const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export function defineStrategy(def: StrategyDefinition): Strategy {
  if (typeof def?.name !== "string" || !NAME.test(def.name)) {
    throw new ParamError(`strategy name ${JSON.stringify(def?.name)} must start with a letter and use only letters, digits, "_", "." and "-"`);
  }
  if (isBuiltIn(def.name)) throw new ParamError(`strategy name "${def.name}" is taken by a built-in strategy; choose another`);
  if (!Array.isArray(def.params)) throw new ParamError(`strategy "${def.name}": params must be a list of parameter specs`);
  if (typeof def.signal !== "function") throw new ParamError(`strategy "${def.name}": signal must be a function (ctx, params, w) => void`);
  const strategy: Strategy = {
    name: def.name,
    description: def.description ?? "",
    params: def.params,
    constraints: def.constraints ?? [],
    signal: def.signal,
  };
  checkParamSpace(strategy);
  validateParams(strategy, defaultParams(strategy)); // the defaults must be valid values satisfying the constraints
  const loadingFile = slot[LOADING] ?? null;
  const code: StrategyCode = loadingFile !== null ? { kind: "file", name: def.name, file: loadingFile.file, sha256: loadingFile.sha256 } : sourceCode(strategy);
  registerStrategy(strategy);
  codes.set(def.name, { code, signal: strategy.signal });
  return strategy;
}

function sourceCode(s: Strategy): StrategyCode {
  const sig = selfContained(s.signal, `strategy "${s.name}": its signal`);
  const hashed = JSON.stringify({
    name: s.name,
    description: s.description,
    params: s.params,
    constraints: s.constraints.map((c) => ({ description: c.description, check: String(c.check) })),
    signal: sig.source,
  });
  return { kind: "source", name: s.name, description: s.description, params: s.params, signal: sig.source, namespaces: sig.namespaces, sha256: createHash("sha256").update(hashed).digest("hex") };
}

/**
 * How a worker gets strategy `name` (a base name, no overlays): null for a built-in.
 * A strategy given to registerStrategy (not defineStrategy) is checked now.
 */
export function strategyCode(name: string, strategy: Strategy): StrategyCode | null {
  if (isBuiltIn(name)) return null;
  const known = codes.get(name);
  // Same signal as defined: the recorded code (a later registerStrategy of the name replaces it).
  if (known !== undefined && known.signal === strategy.signal) return known.code;
  const code = sourceCode(strategy);
  codes.set(name, { code, signal: strategy.signal });
  return code;
}

/** Run `load` with strategies defined meanwhile attributed to `file` (loaded by each worker itself). */
export function definingFrom<T>(file: string, sha256: string, load: () => T): T {
  const outer = slot[LOADING] ?? null;
  slot[LOADING] = { file, sha256 };
  try {
    return load();
  } finally {
    slot[LOADING] = outer;
  }
}

/** Rebuild a source strategy on a worker and register it there. */
export function registerFromSource(code: Extract<StrategyCode, { kind: "source" }>): void {
  registerStrategy({
    name: code.name,
    description: code.description,
    params: code.params,
    constraints: [], // workers evaluate proposed params; proposing (and constraints) happens in the main thread
    signal: compileSignal<Strategy["signal"]>({ source: code.signal, namespaces: code.namespaces }),
  });
}
