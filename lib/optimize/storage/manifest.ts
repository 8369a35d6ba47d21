/**
 * manifest.json: what a run was made from - its search configuration, data and cost
 * files (by sha256), code version and machine - written once when the run is created.
 * Resume compares it with what is requested: a run may only continue with the same data,
 * costs and search (a larger trial budget is fine; worker count and CPU share are free).
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { quote, RunError } from "../../errors";
import { writeFileAtomic } from "../../io/atomic";
import { PACKAGE_ROOT } from "../../paths";
import { codeHash } from "../../io/code-hash";
import { isPeriodKey } from "../../engine/periods";
import { checkRunName, runFile } from "./run-dir";

/**
 * Names read back from a manifest become file names (report/objective-<name>.csv) and
 * registry look-ups, so they obey the CLI's own rules: a strategy is `base[+overlay...]`,
 * an objective one identifier, a period one of the period keys.
 */
export const STRATEGY_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}(\+[A-Za-z][A-Za-z0-9_]{0,63}){0,8}$/;
export const OBJECTIVE_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}(\/[A-Za-z][A-Za-z0-9_]{0,63}){0,7}$/;

/**
 * The normalised search configuration. Every field (including ones not listed here, such
 * as abortDrawdown) must match on resume, except `trials`, which may grow. Settings that
 * do not change results (workers, CPU share) belong outside `args`.
 */
export interface RunArgs {
  strategies: string[];
  objectives: string[];
  periods: string[];
  /** Trials per study. */
  trials: number;
  sampler: string;
  seed: number;
  batchSize: number;
  tradeSizes: number[];
}

/** A user strategy's or objective's code: its sha256, and the file it came from (none for notebook code). */
export interface CodeRef {
  sha256: string;
  file?: string;
}

/** The user code a run depends on, by name; built-ins are covered by `gitCommit`. */
export interface RunCode {
  strategies: Record<string, CodeRef>;
  objectives: Record<string, CodeRef>;
}

export interface RunManifest {
  v: 1;
  name: string;
  /** ISO time the run was created. */
  created: string;
  args: RunArgs;
  /** Study keys, e.g. "sma_cross|mar|1y". */
  studies: string[];
  workers: number;
  cpuFraction: number;
  /** Commit of the stratlab checkout (from .git, without running git), or null outside a repository. */
  gitCommit: string | null;
  /** process.version, e.g. "v20.19.0". */
  node: string;
  /** `${process.platform}-${process.arch}`, e.g. "linux-x64". */
  platform: string;
  data: { path: string; sha256: string; rows: number };
  costs: { path: string; sha256: string };
  /** sha256 of the compiled library (lib/io/code-hash.ts); queue workers must run the same. Absent in older runs. */
  codeHash?: string;
  /** User strategies and objectives (absent when the run uses built-ins only). */
  code?: RunCode;
}

export interface ManifestInput {
  name: string;
  args: RunArgs;
  studies: string[];
  workers: number;
  cpuFraction: number;
  data: { path: string; rows: number };
  costs: { path: string };
  code?: RunCode;
  created?: Date;
  /** Where to look for .git (default: the package root). */
  repoDir?: string;
}

/** Fill in hashes, code version and platform. */
export function buildManifest(input: ManifestInput): RunManifest {
  return {
    v: 1,
    name: input.name,
    created: (input.created ?? new Date()).toISOString(),
    args: input.args,
    studies: [...input.studies],
    workers: input.workers,
    cpuFraction: input.cpuFraction,
    gitCommit: gitCommit(input.repoDir ?? PACKAGE_ROOT),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    data: { path: input.data.path, sha256: hashFile(input.data.path), rows: input.data.rows },
    costs: { path: input.costs.path, sha256: hashFile(input.costs.path) },
    codeHash: codeHash(),
    ...(input.code !== undefined && hasCode(input.code) ? { code: input.code } : {}),
  };
}

function hasCode(c: RunCode): boolean {
  return Object.keys(c.strategies).length + Object.keys(c.objectives).length > 0;
}

export function writeManifest(dir: string, m: RunManifest): void {
  writeFileAtomic(runFile(dir, "manifest"), JSON.stringify(m, null, 2) + "\n");
}

export function readManifest(dir: string): RunManifest {
  const path = runFile(dir, "manifest");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunError(code === "ENOENT" ? `${path} does not exist; ${dir} is not a run directory` : `${path}: cannot read the run manifest (${code ?? e})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunError(`${path}: not valid JSON (${(e as Error).message})`); // formatError makes it one line
  }
  const bad = checkManifest(raw);
  if (bad) throw new RunError(`${path}: ${bad}`);
  return raw as RunManifest;
}

function checkManifest(x: unknown): string | null {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return "not a JSON object";
  const o = x as Record<string, unknown>;
  if (o.v !== 1) return `format version ${JSON.stringify(o.v)} (this stratlab reads version 1)`;
  const str = (k: string) => typeof o[k] === "string";
  const num = (k: string) => typeof o[k] === "number";
  if (!str("name") || !str("created")) return "name or created is missing";
  if (typeof o.args !== "object" || o.args === null || Array.isArray(o.args)) return "args is not an object";
  const a = o.args as Record<string, unknown>;
  for (const k of ["strategies", "objectives", "periods", "tradeSizes"]) if (!Array.isArray(a[k])) return `args.${k} is not a list`;
  for (const k of ["trials", "seed", "batchSize"]) if (typeof a[k] !== "number") return `args.${k} is not a number`;
  if (typeof a.sampler !== "string") return "args.sampler is not a string";
  if (!Array.isArray(o.studies) || !o.studies.every((s) => typeof s === "string")) return "studies is not a list of study keys";
  const names = checkNames(o.name as string, a, o.studies as string[]);
  if (names) return names;
  if (!num("workers") || !num("cpuFraction")) return "workers or cpuFraction is missing";
  if (o.gitCommit !== null && !str("gitCommit")) return "gitCommit is neither a string nor null";
  const d = o.data as Record<string, unknown> | null;
  if (typeof d !== "object" || d === null || typeof d.path !== "string" || typeof d.sha256 !== "string" || typeof d.rows !== "number") return "data is not { path, sha256, rows }";
  const c = o.costs as Record<string, unknown> | null;
  if (typeof c !== "object" || c === null || typeof c.path !== "string" || typeof c.sha256 !== "string") return "costs is not { path, sha256 }";
  return null;
}

/** Every name of the manifest against the rules of the CLI input it came from. */
function checkNames(name: string, a: Record<string, unknown>, studies: string[]): string | null {
  try {
    checkRunName(name);
  } catch {
    return `name ${quote(name)} is not a run name (1-100 letters, digits, ".", "_" or "-")`;
  }
  const bad = (list: unknown[], ok: (x: string) => boolean) => list.find((x) => typeof x !== "string" || !ok(x));
  const strategies = a.strategies as unknown[];
  const objectives = a.objectives as unknown[];
  const periods = a.periods as unknown[];
  let b = bad(strategies, (x) => STRATEGY_NAME_RE.test(x));
  if (b !== undefined) return `args.strategies holds ${quote(b)}, which is not a strategy name (e.g. sma_cross+regime)`;
  b = bad(objectives, (x) => OBJECTIVE_NAME_RE.test(x));
  if (b !== undefined) return `args.objectives holds ${quote(b)}, which is not an objective name (letters, digits, "_"; "a/b" for several)`;
  b = bad(periods, isPeriodKey);
  if (b !== undefined) return `args.periods holds ${quote(b)}, which is not a period (30d, 90d, 1y, all)`;
  for (const k of studies) {
    const [s, obj, p, ...rest] = k.split("|");
    if (rest.length > 0 || !strategies.includes(s) || !objectives.includes(obj) || !periods.includes(p)) {
      return `study ${quote(k)} is not "strategy|objective|period" of the manifest's args`;
    }
  }
  for (const [k, max] of [["trials", 1e9], ["batchSize", 1e6]] as const) {
    const v = a[k];
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max) return `args.${k} ${quote(v)} is not an integer in [1, ${max}]`;
  }
  if (!(a.tradeSizes as unknown[]).every((x) => typeof x === "number" && x > 0 && Number.isFinite(x))) return "args.tradeSizes holds a value that is not a positive number";
  return null;
}

/**
 * Why a run made from `saved` cannot continue as `requested`, one human-readable line per
 * difference; empty when it can. Compared: data and cost hashes, studies and every field
 * of args. Allowed: a larger trial budget, other workers / CPU share, other file paths
 * with the same content.
 */
export function compareManifests(saved: RunManifest, requested: RunManifest): string[] {
  const diffs: string[] = [];
  for (const k of ["data", "costs"] as const) {
    const s = saved[k];
    const r = requested[k];
    if (s.sha256 !== r.sha256) {
      diffs.push(`${k}: ${r.path} (sha256 ${r.sha256.slice(0, 12)}) is not the file the run was made with (${s.path}, sha256 ${s.sha256.slice(0, 12)})`);
    }
  }
  for (const kind of ["strategies", "objectives"] as const) {
    const s = saved.code?.[kind] ?? {};
    const r = requested.code?.[kind] ?? {};
    for (const name of Object.keys(s)) {
      const what = `${kind === "strategies" ? "strategy" : "objective"} "${name}"`;
      if (r[name] === undefined) diffs.push(`${what} is user code in the run but not now`);
      else if (r[name].sha256 !== s[name].sha256) diffs.push(`${what} changed since the run was made (code sha256 ${s[name].sha256.slice(0, 12)}, now ${r[name].sha256.slice(0, 12)})`);
    }
    for (const name of Object.keys(r)) if (s[name] === undefined) diffs.push(`${kind === "strategies" ? "strategy" : "objective"} "${name}" is user code now but was not in the run`);
  }
  const sa = saved.args as unknown as Record<string, unknown>;
  const ra = requested.args as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(sa), ...Object.keys(ra)])];
  for (const k of keys) {
    if (k === "trials") {
      if (typeof ra.trials === "number" && typeof sa.trials === "number" && ra.trials < sa.trials) {
        diffs.push(`trials: the run has a budget of ${sa.trials} per study, ${ra.trials} was requested (the budget may only grow)`);
      }
      continue;
    }
    if (!sameValue(sa[k], ra[k])) diffs.push(`${k}: the run has ${show(sa[k])}, ${show(ra[k])} was requested`);
  }
  if (!sameValue(saved.studies, requested.studies)) diffs.push(`studies: the run has ${show(saved.studies)}, ${show(requested.studies)} was requested`);
  return diffs;
}

function show(x: unknown): string {
  return x === undefined ? "nothing" : JSON.stringify(x);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameValue(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ka = Object.keys(ao);
  return ka.length === Object.keys(bo).length && ka.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && sameValue(ao[k], bo[k]));
}

/** sha256 of a file, hex, read in 1 MB chunks. */
export function hashFile(path: string): string {
  const h = createHash("sha256");
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new RunError(`${path}: cannot read it to hash it (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The commit checked out in the repository holding `from` (HEAD, a branch, a linked
 * worktree or submodule), read from .git without running git; null when there is none.
 */
export function gitCommit(from: string = PACKAGE_ROOT): string | null {
  try {
    let dir = resolve(from);
    for (;;) {
      const dotgit = join(dir, ".git");
      let isDir: boolean | null = null;
      try {
        isDir = statSync(dotgit).isDirectory();
      } catch {
        /* not here */
      }
      if (isDir !== null) return headCommit(dotgit, isDir);
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  } catch {
    return null;
  }
}

function headCommit(dotgit: string, isDir: boolean): string | null {
  let gitDir = dotgit;
  if (!isDir) {
    // A worktree or submodule: ".git" is a file "gitdir: <path>".
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotgit, "utf8"));
    if (!m) return null;
    gitDir = resolve(dirname(dotgit), m[1]);
  }
  let commonDir = gitDir;
  try {
    commonDir = resolve(gitDir, readFileSync(join(gitDir, "commondir"), "utf8").trim());
  } catch {
    /* not a linked worktree */
  }
  let head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
  for (let depth = 0; depth < 5; depth++) {
    if (SHA_RE.test(head)) return head;
    const m = /^ref:\s*(\S+)$/.exec(head);
    if (!m) return null;
    const next = readRef(m[1], gitDir, commonDir);
    if (next === null) return null; // unborn branch
    head = next;
  }
  return null;
}

function readRef(ref: string, gitDir: string, commonDir: string): string | null {
  for (const base of [gitDir, commonDir]) {
    try {
      return readFileSync(join(base, ref), "utf8").trim();
    } catch {
      /* packed, or in the common dir */
    }
  }
  try {
    for (const line of readFileSync(join(commonDir, "packed-refs"), "utf8").split("\n")) {
      const [sha, name] = line.trim().split(/\s+/);
      if (name === ref && SHA_RE.test(sha)) return sha;
    }
  } catch {
    /* no packed refs */
  }
  return null;
}
