/**
 * A self-contained signal: a function whose source text alone, compiled again on a worker
 * thread, behaves as the original. It may use its own parameters and locals, JavaScript's
 * globals (Math, Float64Array, ...), the indicator helpers by name (HELPER_NAMES) and a
 * namespace import of stratlab for those helpers (`stratlab.sma`; tslab's `stratlab_1.sma`
 * and `exports.sma`).
 * Anything else it names (a variable of the notebook, an imported module, a function of
 * the cell) does not exist on the worker; `selfContained` finds such names when the
 * strategy is defined, with the TypeScript parser, so the error comes at once and not
 * as 16 failed trials.
 */
import type * as TS from "typescript";
import { ParamError } from "../errors";
import { HELPER_NAMES, HELPERS } from "./helpers";

/**
 * Names through which a signal may reach the helpers as a namespace: `stratlab.sma`; tslab
 * compiles `import { sma } from "stratlab"` to `stratlab_1.sma` in the importing cell and
 * to `exports.sma` in later cells (where `exports.x` is any earlier cell's `x`).
 */
const NAMESPACE = /^(stratlab(_\d+)?|exports)$/;
const ALWAYS = new Set(["undefined", "arguments", "NaN", "Infinity", "globalThis"]);

let tsModule: typeof TS | null = null;
function ts(): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  tsModule ??= require("typescript") as typeof TS;
  return tsModule;
}

export interface SignalSource {
  /** A JavaScript expression evaluating to the function. */
  source: string;
  /** Namespace names the source uses for the helpers. */
  namespaces: string[];
}

/** The function's source as an expression (a method `signal(ctx, p, w) {}` becomes `function signal(...)`). */
function parseFunction(fn: Function): { source: string; sf: TS.SourceFile; fnNode: TS.Node } {
  const text = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}$/.test(text)) throw new Error("is a native or bound function");
  const t = ts();
  for (const source of [text, `function ${text.replace(/^async\s+/, "")}`]) {
    const sf = t.createSourceFile("signal.js", `(${source})`, t.ScriptTarget.ES2022, true, t.ScriptKind.JS);
    const diags = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
    const stmt = sf.statements[0];
    if (diags.length > 0 || sf.statements.length !== 1 || !t.isExpressionStatement(stmt) || !t.isParenthesizedExpression(stmt.expression)) continue;
    const fnNode = stmt.expression.expression;
    if (t.isFunctionExpression(fnNode) || t.isArrowFunction(fnNode)) return { source, sf, fnNode };
  }
  throw new Error("cannot be read back from its source text");
}

/** Identifiers the function uses but does not declare (scope-insensitive: a name declared anywhere inside counts as declared). */
export function freeNames(fn: Function): { source: string; free: string[]; namespaceMembers: Map<string, Set<string>> } {
  const t = ts();
  const { source, fnNode } = parseFunction(fn);
  const declared = new Set<string>();
  const used = new Set<string>();
  const namespaceMembers = new Map<string, Set<string>>();
  const declare = (n: TS.Node | undefined) => {
    if (n === undefined) return;
    if (t.isIdentifier(n)) declared.add(n.text);
    else if (t.isObjectBindingPattern(n) || t.isArrayBindingPattern(n)) for (const el of n.elements) if (!t.isOmittedExpression(el)) declare(el.name);
  };
  const visit = (n: TS.Node): void => {
    if (t.isParameter(n) || t.isVariableDeclaration(n) || t.isBindingElement(n)) declare(n.name);
    else if ((t.isFunctionDeclaration(n) || t.isFunctionExpression(n) || t.isClassDeclaration(n) || t.isClassExpression(n)) && n.name) declared.add(n.name.text);
    if (t.isIdentifier(n)) {
      const p = n.parent;
      const notAReference =
        (t.isPropertyAccessExpression(p) && p.name === n) ||
        (t.isPropertyAssignment(p) && p.name === n) ||
        (t.isBindingElement(p) && p.propertyName === n) ||
        ((t.isMethodDeclaration(p) || t.isPropertyDeclaration(p) || t.isGetAccessor(p) || t.isSetAccessor(p)) && p.name === n) ||
        t.isLabeledStatement(p) ||
        t.isBreakOrContinueStatement(p);
      if (!notAReference) used.add(n.text);
      if (t.isPropertyAccessExpression(p) && p.expression === n && NAMESPACE.test(n.text)) {
        let m = namespaceMembers.get(n.text);
        if (m === undefined) namespaceMembers.set(n.text, (m = new Set()));
        m.add(p.name.text);
      }
    }
    t.forEachChild(n, visit);
  };
  visit(fnNode);
  const free = [...used].filter((x) => !declared.has(x) && !ALWAYS.has(x) && !(x in globalThis)).sort();
  return { source, free, namespaceMembers };
}

/**
 * The signal's source, checked to be self-contained; a ParamError naming what it
 * captures otherwise (`what` says where, e.g. `strategy "my_sma": signal`).
 */
export function selfContained(fn: Function, what: string): SignalSource {
  let analysed: ReturnType<typeof freeNames>;
  try {
    analysed = freeNames(fn);
  } catch (e) {
    throw new ParamError(`${what} ${(e as Error).message}; define it as a function or arrow function literal`);
  }
  const helpers = new Set<string>(HELPER_NAMES);
  const namespaces = analysed.free.filter((x) => NAMESPACE.test(x));
  const captured = analysed.free.filter((x) => !helpers.has(x) && !NAMESPACE.test(x));
  if (captured.length > 0) {
    throw new ParamError(
      `${what} uses ${captured.map((c) => `"${c}"`).join(", ")} from outside the function, which a worker thread cannot see; ` +
        `a signal may use its arguments, JavaScript globals and the stratlab helpers (${HELPER_NAMES.join(", ")}); move the rest inside it, or put the strategy in a file for --strategy-file`,
    );
  }
  for (const [ns, members] of analysed.namespaceMembers) {
    const bad = [...members].filter((m) => !helpers.has(m));
    if (bad.length > 0) {
      const name = ns === "exports" ? `"${bad[0]}" (of another notebook cell)` : `${ns}.${bad[0]}`;
      throw new ParamError(`${what} uses ${name}, which a worker thread cannot see; of stratlab a signal may use only ${HELPER_NAMES.join(", ")}; move the rest inside the signal`);
    }
  }
  return { source: analysed.source, namespaces };
}

/** Compile a self-contained signal again (on a worker), with the helpers in scope. */
export function compileSignal<F>(s: SignalSource): F {
  const names = [...HELPER_NAMES, ...s.namespaces];
  const values = [...HELPER_NAMES.map((n) => HELPERS[n]), ...s.namespaces.map(() => HELPERS)];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...names, `"use strict";\nreturn (${s.source});`)(...values) as F;
}
