/** Where the package's own folders are, wherever the process was started (CLI, notebook, worker). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function findRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "lib"))) return dir;
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
}

/** The package root (holds package.json, lib/, data/). */
export const PACKAGE_ROOT = findRoot(__dirname);
export const DATA_DIR = join(PACKAGE_ROOT, "data");
export const DEFAULT_DATA = join(DATA_DIR, "default_5m.csv");
export const DEFAULT_COSTS = join(DATA_DIR, "swap_cost_cache.json");
export const REPORTS_DIR = join(PACKAGE_ROOT, "reports");
export const RUNS_DIR = join(REPORTS_DIR, "runs");
export const CHECKPOINTS_DIR = join(PACKAGE_ROOT, "checkpoints");
/** Compiled JS (workers need it; tests run the TypeScript sources). */
export const DIST_DIR = join(PACKAGE_ROOT, "dist");

/** The package's version (package.json), for `stratlab --version`. */
export const PACKAGE_VERSION: string = (() => {
  try {
    const v = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version?: unknown }).version;
    return typeof v === "string" ? v : "unknown";
  } catch {
    return "unknown";
  }
})();
