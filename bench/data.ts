/**
 * Data: loading the default CSV and the real BitMEX file (when ../shared/data has it),
 * generating the default data set's 210,240 bars, and hashing the default CSV (every run
 * hashes its data into the manifest). Medians of 5 after one untimed call, wall and CPU.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadBars } from "../lib/data/csv";
import { generateBars } from "../lib/data/generate";
import { hashFile } from "../lib/optimize/storage";
import { PACKAGE_ROOT } from "../lib/paths";
import { medianTiming } from "./measure";
import type { BenchContext, Section, SectionOutput } from "./section";

/** The real exchange file the data tests use (../shared/data/SOURCES.md); skipped when absent. */
export const BITMEX_CSV = join(PACKAGE_ROOT, "..", "shared", "data", "xbtusd_5m_bitmex_2017-01_2019-06.csv");
const RUNS = 5;

interface DataFigures {
  operation: string;
  file: string | null;
  rows: number | null;
  mb: number | null;
  wall_ms: number;
  cpu_ms: number;
  /** Rows (bars) per second of wall time, millions. */
  mrows_per_s: number | null;
  mb_per_s: number | null;
  skipped?: string;
}

function run(ctx: BenchContext): SectionOutput {
  const rows: DataFigures[] = [];
  const file = (operation: string, path: string, f: () => number | null) => {
    if (!existsSync(path)) {
      rows.push({ operation, file: path, rows: null, mb: null, wall_ms: NaN, cpu_ms: NaN, mrows_per_s: null, mb_per_s: null, skipped: "file absent" });
      return;
    }
    ctx.progress(`data: ${operation}`);
    let n: number | null = null;
    const t = medianTiming(RUNS, () => void (n = f()));
    const mb = statSync(path).size / 1e6;
    rows.push({ operation, file: path, rows: n, mb, wall_ms: t.wall, cpu_ms: t.cpu, mrows_per_s: n === null ? null : n / t.wall / 1000, mb_per_s: mb / (t.wall / 1000) });
  };
  file("loadBars default_5m.csv", ctx.dataPath, () => loadBars(ctx.dataPath).length);
  file("loadBars bitmex 5m (real)", BITMEX_CSV, () => loadBars(BITMEX_CSV).length);
  ctx.progress("data: generateBars");
  let generated = 0;
  const g = medianTiming(RUNS, () => void (generated = generateBars({ days: 730, seed: 1 }).length));
  rows.push({ operation: "generateBars 730 days, 5m", file: null, rows: generated, mb: null, wall_ms: g.wall, cpu_ms: g.cpu, mrows_per_s: generated / g.wall / 1000, mb_per_s: null });
  file("hashFile default_5m.csv (sha256)", ctx.dataPath, () => (hashFile(ctx.dataPath), null));
  return {
    tables: [
      {
        title: `Data (median of ${RUNS}, after one untimed call)`,
        columns: ["operation", "rows", "MB", "wall ms", "cpu ms", "M rows/s", "MB/s"],
        rows: rows.map((r) => [r.operation, r.rows, r.mb, r.skipped ? r.skipped : r.wall_ms, r.cpu_ms, r.mrows_per_s, r.mb_per_s]),
        notes: ["cpu ms: CPU time of this process (all threads); wall ms above it means waiting for a core or the disk."],
      },
    ],
    figures: { runs: RUNS, operations: rows },
  };
}

export const dataSection: Section = { name: "data", title: "Data", run };
