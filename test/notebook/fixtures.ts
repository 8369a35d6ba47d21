/** A small optimisation run on generated bars, in a temp folder, for the result-helper tests. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeBarsCsv } from "../../lib/data/csv";
import { generateBars } from "../../lib/data/generate";
import type { OptimizeOptions } from "../../lib/lab/optimize";
import { DEFAULT_COSTS } from "../../lib/paths";

/** 120 days of 5-minute bars (34,560): a 90d study has room, evaluations stay fast. */
export function smallStudy(name: string, extra: Partial<OptimizeOptions> = {}): OptimizeOptions & { tmp: string } {
  const tmp = mkdtempSync(join(tmpdir(), "stratlab-nb-"));
  const data = join(tmp, "bars.csv");
  writeBarsCsv(generateBars({ days: 120, seed: 5 }), data);
  return {
    tmp,
    name,
    data,
    costs: DEFAULT_COSTS,
    out: join(tmp, "runs"),
    strategies: ["sma_cross", "donchian_breakout"],
    objectives: ["mar", "cps_v2"],
    periods: ["90d"],
    trials: 16,
    batchSize: 8,
    sampler: "tpe",
    seed: 2,
    maxWorkers: 1,
    handleSignals: false,
    ...extra,
  };
}
