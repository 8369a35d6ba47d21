/**
 * Synthetic trial lines shaped like the runner's (every metric of every period, full
 * precision): for the storage benchmark and the journal tests, which must read the same
 * kind of lines.
 */
import { METRIC_KEYS, OBJECTIVE_KEYS } from "../lib/engine/metrics";
import { PERIOD_KEYS } from "../lib/engine/periods";
import type { TrialLine, TrialResult } from "../lib/optimize/storage";

export const SYNTHETIC_STUDY = "sma_cross|mar|1y";

/** A deterministic pseudo-random number in [0, 1) from two integers. */
export function noise(a: number, b: number): number {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/** Every metric of every period, full-precision doubles like the engine's. */
export function result(id: number, tradeSize = 10_000): TrialResult {
  const periods = {} as TrialResult["periods"];
  PERIOD_KEYS.forEach((p, pi) => {
    const m: Record<string, number> = {};
    [...METRIC_KEYS, ...OBJECTIVE_KEYS].forEach((k, ki) => (m[k] = (noise(id, pi * 100 + ki) - 0.3) * 1000));
    m.trades = Math.floor(noise(id, pi) * 500);
    m.bars = 105_120 >> pi;
    m.start = 1_600_000_000_000 + pi * 86_400_000;
    periods[p] = m;
  });
  return { trade_size: tradeSize, ruined: false, aborted: false, over_max_bucket: 0, periods };
}

export function line(id: number, study = SYNTHETIC_STUDY, over: Partial<TrialLine> = {}): TrialLine {
  return {
    v: 1,
    id,
    study,
    params: { fast: 5 + (id % 40), slow: 200, kind: id % 2 ? "ema" : "sma", stop: true },
    value: noise(id, 7) * 3 - 1,
    state: "complete",
    results: [result(id)],
    started: "2025-01-02T03:04:05.000Z",
    finished: "2025-01-02T03:04:06.250Z",
    worker: id % 2,
    ...over,
  };
}
