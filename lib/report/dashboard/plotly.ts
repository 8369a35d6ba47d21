/**
 * plotly.js for the dashboard, offline: taken from node_modules and either inlined (the
 * default: index.html copied alone still draws) or written once into the runs folder and
 * loaded by a relative path (--external-plotly: one copy shared by every run there).
 */
import { readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { RunError } from "../../errors";
import { writeFileAtomic } from "../../io/atomic";

/**
 * Minified bundles first. plotly.js-dist ships only the unminified plotly.js (~11 MB);
 * with plotly.js-dist-min installed the asset is ~4.6 MB.
 */
export const PLOTLY_BUNDLES = ["plotly.js-dist-min/plotly.min.js", "plotly.js-dist/plotly.min.js", "plotly.js-dist/plotly.js"] as const;

export interface PlotlyBundle {
  /** Absolute path of the bundle in node_modules. */
  path: string;
  /** File name to use beside the page (plotly.min.js or plotly.js). */
  name: string;
  bytes: number;
}

let found: PlotlyBundle | undefined;

export function findPlotly(): PlotlyBundle {
  if (found) return found;
  for (const id of PLOTLY_BUNDLES) {
    let path: string;
    try {
      path = require.resolve(id);
    } catch {
      continue;
    }
    found = { path, name: basename(path), bytes: statSync(path).size };
    return found;
  }
  throw new RunError(`plotly.js is not installed (looked for ${PLOTLY_BUNDLES.join(", ")}); run: npm install`);
}

/**
 * Write the bundle to `<reportDir>/<name>` unless a file of the same size is already there
 * (a run's reports are rewritten often; the 4-11 MB copy is made once). Returns its path.
 */
export function writePlotlyAsset(reportDir: string): string {
  const b = findPlotly();
  const target = join(reportDir, b.name);
  try {
    if (statSync(target).size === b.bytes) return target;
  } catch {
    /* not there yet */
  }
  writeFileAtomic(target, readFileSync(b.path));
  return target;
}

let source: string | undefined;

/** The bundle's text (read once per process: every report inlines it). */
export function plotlySource(): string {
  source ??= readFileSync(findPlotly().path, "utf8");
  return source;
}
