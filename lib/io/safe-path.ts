/**
 * Paths built from values read from files or flags: a name that climbs out of its folder
 * (`../..`, an absolute path, a NUL byte) is refused before any file is touched, and folders
 * are created without Node's recursive mkdir, which spins forever where the kernel answers
 * ENOENT for a folder that exists (`/proc`, measured on Node 20.20).
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { quote, UsageError } from "../errors";

/** Is `child` the folder `parent` itself or inside it (after resolving both)? */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel) && rel.split(sep)[0] !== "..");
}

/**
 * `dir/name` for one file name that must stay inside `dir`: no separator, no `..`, no NUL,
 * no control character. Throws `make(message)` (a UsageError by default) naming the value.
 */
export function joinInside(dir: string, name: string, what = "file name", make: (msg: string) => Error = (m) => new UsageError(m)): string {
  if (typeof name !== "string" || name === "" || name === "." || name === ".." || /[/\\\0-\x1f\x7f]/.test(name)) {
    throw make(`${what} ${quote(name)} is not a plain file name (no "/", "\\", "..", or control characters)`);
  }
  const path = resolve(dir, name);
  if (!isInside(dir, path) || resolve(dir) === path) throw make(`${what} ${quote(name)} would leave ${dir}`);
  return path;
}

/**
 * mkdir -p that always ends: creates the missing folders from the deepest existing one down,
 * one at a time; a path through a file or where the kernel refuses is an error, never a loop.
 */
export function ensureDir(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let cur = target;
  for (;;) {
    let st;
    try {
      st = statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw e;
      const up = dirname(cur);
      if (up === cur) throw e;
      missing.push(cur);
      cur = up;
      continue;
    }
    if (!st.isDirectory()) {
      const err: NodeJS.ErrnoException = new Error(`ENOTDIR: not a directory, mkdir '${dir}'`);
      err.code = "ENOTDIR";
      err.path = cur;
      throw err;
    }
    break;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}
