import { rollingStd, sma } from "./indicators/rolling";
import type { Strategy } from "./types";

/**
 * Bollinger bands (J. Bollinger): middle[i] = SMA_period(close)[i], sd[i] = population
 * standard deviation of close[i-period+1..i], lower[i] = middle[i] - k * sd[i].
 * Enter when close[i] < lower[i]; exit when close[i] >= middle[i]; otherwise the previous
 * state; warm-up i < period - 1. The two cannot hold together (lower <= middle).
 */
export const bollingerReversion: Strategy = {
  name: "bollinger_reversion",
  description: "Buy a close below the lower Bollinger band; sell when close is back at or above the middle band.",
  params: [
    { name: "period", type: "int", low: 10, high: 1000, log: true, default: 20, description: "band length, bars" },
    { name: "k", type: "float", low: 0.5, high: 4, step: 0.1, default: 2, description: "band width, standard deviations" },
  ],
  constraints: [],
  fillsEveryBar: true,
  signal({ bars, scratch }, p, w) {
    const period = p.period as number;
    const k = p.k as number;
    const n = bars.length;
    const close = bars.close;
    const middle = scratch.cached(`sma:${period}`, n, (out) => sma(close, period, out));
    const sd = scratch.cached(`std:${period}`, n, (out) => rollingStd(close, period, middle, out));
    let state = 0;
    for (let i = 0; i < n; i++) {
      if (i < period - 1) {
        w[i] = 0;
        continue;
      }
      const c = close[i];
      const m = middle[i];
      if (c < m - k * sd[i]) state = 1;
      else if (c >= m) state = 0;
      w[i] = state;
    }
  },
};
