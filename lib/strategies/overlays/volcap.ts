import { realisedVariance, squaredLogReturns } from "../indicators/realised-vol";
import type { Overlay } from "./index";

/** A year in ms (365 days; EVALUATOR-CONTRACT: annualised figures use the bars' own spacing). */
const MS_PER_YEAR = 365 * 86_400_000;

/**
 * Volatility cap: scales the base exposure by s[i] = min(1, volcap_target / vol[i]), where
 * vol[i] = sqrt(RV_volcap_len[i] * barsPerYear) is the annualised realised volatility of
 * close (root mean square of the last volcap_len log returns, indicators/realised-vol.ts;
 * barsPerYear = 365 days / the bars' spacing, 105,120 for 5-minute bars) and s = 1 when
 * vol = 0.
 *
 * Every change of w is a swap that pays gas and impact, so the applied scale h is held:
 * it is set to s[i] on the first bar after warm-up, whenever the base exposure changes,
 * and whenever |s[i] - h| > volcap_band; w[i] = base[i] * h. volcap_band = 0 rescales on
 * every bar. Warm-up i < volcap_len: w = 0. Values stay in [0, 1].
 */
export const volcap: Overlay = {
  name: "volcap",
  description: "scales exposure down to min(1, volcap_target / annualised realised volatility).",
  params: [
    { name: "volcap_target", type: "float", low: 0.05, high: 3, step: 0.05, default: 0.5, description: "target volatility, annualised (0.5 = 50 %/year)" },
    { name: "volcap_len", type: "int", low: 96, high: 20160, log: true, default: 2016, description: "realised-volatility window, bars (2016 = 1 week of 5-min bars)" },
    { name: "volcap_band", type: "float", low: 0, high: 0.5, step: 0.05, default: 0.1, description: "rescale only when the scale has moved by more than this" },
  ],
  apply({ bars, scratch }, p, w) {
    const target = p.volcap_target as number;
    const len = p.volcap_len as number;
    const band = p.volcap_band as number;
    const n = bars.length;
    const barsPerYear = bars.barMs > 0 ? MS_PER_YEAR / bars.barMs : 0;
    const r2 = scratch.cached("logret2", n, (out) => squaredLogReturns(bars.close, out));
    const rv = scratch.cached(`rv:${len}`, n, (out) => realisedVariance(r2, len, out));
    let h = 1;
    let prevBase = 0;
    for (let i = 0; i < n; i++) {
      const base = w[i];
      if (i < len) {
        w[i] = 0;
        prevBase = base;
        continue;
      }
      const vol = Math.sqrt(rv[i] * barsPerYear);
      const s = vol > target ? target / vol : 1;
      if (i === len || base !== prevBase || Math.abs(s - h) > band) h = s;
      prevBase = base;
      w[i] = base * h;
    }
  },
};
