/** What every benchmark section gets and returns. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CostTable } from "../lib/costs/cost-table";
import type { Bars } from "../lib/data/bars";
import type { Table } from "./table";

export interface BenchContext {
  /** The default data (data/default_5m.csv) and cost table, loaded once. */
  bars: Bars;
  costs: CostTable;
  dataPath: string;
  costsPath: string;
  /** A line of progress (stderr). */
  progress: (line: string) => void;
  /** A temp folder removed when the benchmark ends (also on failure). */
  tempDir: (prefix: string) => string;
}

export interface SectionOutput {
  tables: Table[];
  /** The same figures for --json. */
  figures: Record<string, unknown>;
}

export interface Section {
  name: string;
  title: string;
  run: (ctx: BenchContext) => Promise<SectionOutput> | SectionOutput;
}

/** Temp folders made by `make`, removed by `removeAll`. */
export function tempDirs(): { make: (prefix: string) => string; removeAll: () => void } {
  const made: string[] = [];
  return {
    make: (prefix) => {
      const d = mkdtempSync(join(tmpdir(), `stratlab-bench-${prefix}-`));
      made.push(d);
      return d;
    },
    removeAll: () => {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
