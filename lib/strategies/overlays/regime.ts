import { sma } from "../indicators/rolling";
import type { Overlay } from "./index";

/**
 * Long-term trend filter: the base exposure is kept while close[i] > SMA_regime_len(close)[i]
 * and forced to 0 otherwise, and during the filter's warm-up i < regime_len - 1.
 * Default 2016 bars = 1 week of 5-minute bars (7 * 24 * 12).
 */
export const regime: Overlay = {
  name: "regime",
  description: "only long while close is above its regime_len-bar simple moving average.",
  params: [
    { name: "regime_len", type: "int", low: 288, high: 20160, log: true, default: 2016, description: "trend SMA length, bars (288 = 1 day, 2016 = 1 week of 5-min bars)" },
  ],
  apply({ bars, scratch }, p, w) {
    const len = p.regime_len as number;
    const n = bars.length;
    const close = bars.close;
    const trend = scratch.cached(`sma:${len}`, n, (out) => sma(close, len, out));
    for (let i = 0; i < n; i++) {
      if (!(i >= len - 1 && close[i] > trend[i])) w[i] = 0;
    }
  },
};
