/**
 * Coarser bars from finer ones (1m -> 5m, 5m -> 1h) on a UTC grid aligned to the Unix epoch:
 * a bin starts at a multiple of its length since 1970-01-01T00:00Z, so hours and days start on
 * the hour and at midnight UTC. A bin takes the first open, the highest high, the lowest low,
 * the last close and the summed volume of the bars that open inside it; bins without bars are
 * left out (a gap stays a gap rather than becoming a flat bar nobody traded).
 */
import { UsageError } from "../errors";
import { allocateBars, formatDuration, type Bars } from "./bars";

export function resample(bars: Bars, minutes: number): Bars {
  if (!Number.isInteger(minutes) || minutes < 1) throw new UsageError(`resample to ${minutes} minutes: give a whole number of minutes, 1 or more`);
  const binMs = minutes * 60_000;
  if (bars.barMs > 0 && (binMs < bars.barMs || binMs % bars.barMs !== 0)) {
    throw new UsageError(`cannot resample ${formatDuration(bars.barMs)} bars to ${formatDuration(binMs)}; the new bar must be a whole multiple of ${formatDuration(bars.barMs)}`);
  }
  const n = bars.length;
  const { t, open, high, low, close, volume } = bars;

  let bins = 0;
  let bin = NaN;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(t[i] / binMs);
    if (b !== bin) {
      bins++;
      bin = b;
    }
  }

  const out = allocateBars(bins, bars.source, binMs);
  let k = -1;
  bin = NaN;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(t[i] / binMs);
    if (b !== bin) {
      bin = b;
      k++;
      out.t[k] = b * binMs;
      out.open[k] = open[i];
      out.high[k] = high[i];
      out.low[k] = low[i];
      out.volume[k] = 0;
    } else {
      if (high[i] > out.high[k]) out.high[k] = high[i];
      if (low[i] < out.low[k]) out.low[k] = low[i];
    }
    out.close[k] = close[i];
    out.volume[k] += volume[i];
  }
  return out;
}
