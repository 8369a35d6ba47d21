/**
 * Code files: `--strategy-file FILE.ts|.js` and `--objective-file FILE`. A file is a
 * CommonJS module (a `.ts` file is transpiled first with the project's TypeScript, with no
 * type check) whose exports include strategies (defineStrategy results, or plain objects
 * of the Strategy shape) and/or objectives (defineObjective results). Loading registers
 * every exported one by name. `require("stratlab")` in the file resolves to this package
 * wherever the file lives. Each worker thread loads a strategy file itself, so a file
 * strategy's signal may use anything its module can (module constants, other imports).
 * The sha256 of the file (not of files it imports) identifies the code in a run manifest.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import Module from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import type * as TS from "typescript";
import { UsageError } from "../errors";
import { DIST_DIR } from "../paths";
import { definingFrom, defineStrategy } from "../strategies/define";
import { getStrategy } from "../strategies/registry";
import type { Strategy } from "../strategies/types";
import { defineObjective, getObjective, isObjectiveLike, type Objective } from "./objectives";

export interface LoadedCodeFile {
  file: string;
  sha256: string;
  /** Exported module values. */
  exports: unknown[];
  /** Strategies the file exports, registered by name. */
  strategies: string[];
  /** Objectives the file exports, registered by name. */
  objectives: string[];
}

const loaded = new Map<string, LoadedCodeFile>();

/** The package entry a code file's `require("stratlab")` gets: the compiled package, also when the caller runs the TypeScript sources. */
const PACKAGE_ENTRY = join(DIST_DIR, "lib", "index.js");

function compile(file: string, text: string): string {
  const ext = extname(file);
  if (ext === ".js" || ext === ".cjs") return text;
  if (ext !== ".ts" && ext !== ".cts") throw new UsageError(`${file}: a code file must be .ts or .js (CommonJS), not ${ext || "extension-less"}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof TS;
  const out = ts.transpileModule(text, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const d = out.diagnostics?.[0];
  if (d !== undefined) {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    throw new UsageError(`${file}${pos ? ` line ${pos.line + 1}` : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  }
  return out.outputText;
}

function isStrategyLike(x: unknown): x is Strategy {
  const o = x as Partial<Strategy> | null;
  return typeof o === "object" && o !== null && typeof o.name === "string" && Array.isArray(o.params) && typeof o.signal === "function";
}

/** Load (or return the already loaded) code file; a UsageError naming the file on any problem. */
export function loadCodeFile(path: string): LoadedCodeFile {
  const file = resolve(path);
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new UsageError(`${path} is not a file`);
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: cannot read the code file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const sha256 = createHash("sha256").update(text).digest("hex");
  const cached = loaded.get(file);
  if (cached !== undefined && cached.sha256 === sha256) return cached;

  const js = compile(file, text);
  const m = new Module(file);
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  const ownRequire = m.require.bind(m);
  m.require = ((id: string) => (id === "stratlab" ? ownRequire(PACKAGE_ENTRY) : ownRequire(id))) as NodeJS.Require;
  const exports = definingFrom(file, sha256, () => {
    try {
      (m as unknown as { _compile(code: string, filename: string): void })._compile(js, file);
    } catch (e) {
      throw new UsageError(`${path}: loading it failed: ${String((e as Error)?.message ?? e).split("\n")[0]}`);
    }
    const ex = m.exports as Record<string, unknown>;
    const values = isStrategyLike(ex) ? [ex] : Object.values(ex ?? {});
    const strategies: string[] = [];
    const objectives: string[] = [];
    for (const v of values) {
      if (isObjectiveLike(v)) {
        if (getObjectiveOrNull(v.name)?.value !== v.value) defineObjective(v);
        objectives.push(v.name);
      }
      if (!isStrategyLike(v)) continue;
      // Register with this copy of the package (the file's `stratlab` may be another copy).
      if (getStrategyOrNull(v.name)?.signal !== v.signal) defineStrategy(v);
      strategies.push(v.name);
    }
    return { values, strategies, objectives };
  });
  const result: LoadedCodeFile = { file, sha256, exports: exports.values, strategies: exports.strategies, objectives: exports.objectives };
  loaded.set(file, result);
  return result;
}

function getObjectiveOrNull(name: string): Objective | null {
  try {
    return getObjective(name);
  } catch {
    return null;
  }
}

function getStrategyOrNull(name: string): Strategy | null {
  try {
    return getStrategy(name);
  } catch {
    return null;
  }
}
