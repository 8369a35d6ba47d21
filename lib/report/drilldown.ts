/**
 * Data for a trial's drill-down on the dashboard (after backtesting.py's `plot`): the
 * price as candlesticks with volume, shared by every trial of the run, and per trial of
 * the shortlist its round trips with P&L, bars held and fees. Candles are aggregated into
 * at most `maxCandles` buckets (open of the first bar, high and low of all, close of the
 * last, volume summed), so the page stays small whatever the number of bars.
 */
import type { Bars } from "../data/bars";
import type { Fill, RoundTrip } from "../engine/metrics";

/** Candles on the page at most (default). */
export const DEFAULT_MAX_CANDLES = 1500;
/** Round trips listed per trial at most (the last ones; the count says how many there are). */
export const MAX_TRIPS = 1000;

export interface Candles {
  /** Open time of each candle's first bar (Unix ms). */
  t: number[];
  o: number[];
  h: number[];
  l: number[];
  c: number[];
  v: number[];
  /** Bars per candle (1 when the data is short enough). */
  barsPerCandle: number;
  /** The data's bar size, ms. */
  barMs: number;
}

export interface Trips {
  /** Entry and exit times (open of the fill bar, Unix ms). */
  entryT: number[];
  exitT: number[];
  entryPrice: number[];
  exitPrice: number[];
  /** Equity after the exit minus equity before the entry (fees included). */
  pnl: number[];
  /** pnl as a fraction of the equity before the entry. */
  ret: number[];
  /** exit bar - entry bar. */
  bars: number[];
  /** Swap costs of every fill from the entry bar to the exit bar. */
  fees: number[];
  /** Round trips in the whole run (the lists may hold only the last MAX_TRIPS). */
  total: number;
}

/** The bars as at most `maxCandles` candles of a whole number of bars each. */
export function candles(bars: Bars, maxCandles: number = DEFAULT_MAX_CANDLES): Candles {
  const n = bars.length;
  const per = Math.max(1, Math.ceil(n / Math.max(1, maxCandles)));
  const out: Candles = { t: [], o: [], h: [], l: [], c: [], v: [], barsPerCandle: per, barMs: bars.barMs };
  for (let from = 0; from < n; from += per) {
    const to = Math.min(n, from + per);
    let hi = bars.high[from];
    let lo = bars.low[from];
    let vol = 0;
    for (let i = from; i < to; i++) {
      if (bars.high[i] > hi) hi = bars.high[i];
      if (bars.low[i] < lo) lo = bars.low[i];
      vol += bars.volume[i];
    }
    out.t.push(bars.t[from]);
    out.o.push(bars.open[from]);
    out.h.push(hi);
    out.l.push(lo);
    out.c.push(bars.close[to - 1]);
    out.v.push(vol);
  }
  return out;
}

/**
 * Round trips with their entry/exit prices and fees. Fills are in bar order, so one pass
 * assigns each fill to the trip whose [entry bar, exit bar] holds it.
 */
export function roundTrips(trips: readonly RoundTrip[], fills: readonly Fill[], maxTrips: number = MAX_TRIPS): Trips {
  const out: Trips = { entryT: [], exitT: [], entryPrice: [], exitPrice: [], pnl: [], ret: [], bars: [], fees: [], total: trips.length };
  const first = Math.max(0, trips.length - maxTrips);
  let f = 0;
  for (let k = 0; k < trips.length; k++) {
    const rt = trips[k];
    while (f < fills.length && fills[f].bar < rt.entryBar) f++;
    let fees = 0;
    let entryPrice = NaN;
    let exitPrice = NaN;
    while (f < fills.length && fills[f].bar <= rt.exitBar) {
      const x = fills[f];
      fees += x.cost;
      if (x.bar === rt.entryBar && Number.isNaN(entryPrice)) entryPrice = x.price;
      if (x.bar === rt.exitBar) exitPrice = x.price;
      f++;
    }
    if (k < first) continue;
    out.entryT.push(rt.entryT);
    out.exitT.push(rt.exitT);
    out.entryPrice.push(entryPrice);
    out.exitPrice.push(exitPrice);
    out.pnl.push(rt.pnl);
    out.ret.push(rt.return);
    out.bars.push(rt.exitBar - rt.entryBar);
    out.fees.push(fees);
  }
  return out;
}
