/**
 * Every built-in strategy equals a direct, naive transcription of its definition in
 * docs/strategies.md (O(n * period) loops, no shared kernels, no caching) on seeded random
 * walks, bar for bar, warm-up included; plus small hand-computed cases for the new ones.
 */
import { describe, expect, test } from "vitest";
import type { Bars } from "../../lib/data/bars";
import { bollingerReversion } from "../../lib/strategies/bollinger-reversion";
import { emaCross } from "../../lib/strategies/ema-cross";
import { getStrategy, strategyNames } from "../../lib/strategies/registry";
import { Scratch } from "../../lib/strategies/scratch";
import type { Params } from "../../lib/strategies/types";
import { readModelFolder } from "../../lib/train/model-folder";
import { barsOf, randomWalkBars, signalOf, TINY_MODEL } from "./fixtures";

// ---- naive indicators, straight from the definitions -------------------------------

const NO = NaN;

function meanOf(x: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let k = from; k <= to; k++) s += x[k];
  return s / (to - from + 1);
}

function naiveSma(x: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: x.length }, (_, i) => (i < n - 1 ? NO : meanOf(x, i - n + 1, i)));
}

/** EMA of x[start..], seeded with the mean of its first n values, alpha = 2/(n+1). */
function naiveEma(x: ArrayLike<number>, n: number, start = 0): number[] {
  const out = new Array<number>(x.length).fill(NO);
  const a = 2 / (n + 1);
  for (let i = start + n - 1; i < x.length; i++) out[i] = i === start + n - 1 ? meanOf(x, start, i) : out[i - 1] + a * (x[i] - out[i - 1]);
  return out;
}

function naiveAtr(b: Bars, n: number): number[] {
  const tr = (i: number) => Math.max(b.high[i] - b.low[i], Math.abs(b.high[i] - b.close[i - 1]), Math.abs(b.low[i] - b.close[i - 1]));
  const out = new Array<number>(b.length).fill(NO);
  for (let i = n; i < b.length; i++) {
    if (i === n) {
      let s = 0;
      for (let k = 1; k <= n; k++) s += tr(k);
      out[i] = s / n;
    } else out[i] = (out[i - 1] * (n - 1) + tr(i)) / n;
  }
  return out;
}

function naiveRsi(c: ArrayLike<number>, n: number): number[] {
  const out = new Array<number>(c.length).fill(NO);
  let g = 0;
  let l = 0;
  for (let i = 1; i < c.length; i++) {
    const ch = c[i] - c[i - 1];
    if (i <= n) {
      g += Math.max(ch, 0);
      l += Math.max(-ch, 0);
      if (i < n) continue;
      g /= n;
      l /= n;
    } else {
      g = (g * (n - 1) + Math.max(ch, 0)) / n;
      l = (l * (n - 1) + Math.max(-ch, 0)) / n;
    }
    out[i] = l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l);
  }
  return out;
}

/** Enter/exit state machine: `enter`/`exit` see bar i; 0 while i < warm. */
function stateMachine(n: number, warm: number, enter: (i: number) => boolean, exit: (i: number) => boolean): number[] {
  const w: number[] = [];
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (i < warm) {
      w.push(0);
      continue;
    }
    if (enter(i)) s = 1;
    else if (exit(i)) s = 0;
    w.push(s);
  }
  return w;
}

// ---- the definitions ----------------------------------------------------------------

const REFERENCE: Record<string, (b: Bars, p: Params) => number[]> = {
  sma_cross(b, p) {
    const [f, s] = [naiveSma(b.close, p.fast as number), naiveSma(b.close, p.slow as number)];
    return f.map((v, i) => (i >= (p.slow as number) - 1 && v > s[i] ? 1 : 0));
  },
  donchian_breakout(b, p) {
    const [en, ex] = [p.entry as number, p.exit as number];
    const hi = (i: number) => Math.max(...b.high.subarray(i - en, i));
    const lo = (i: number) => Math.min(...b.low.subarray(i - ex, i));
    return stateMachine(b.length, Math.max(en, ex), (i) => b.close[i] > hi(i), (i) => b.close[i] < lo(i));
  },
  rsi_reversion(b, p) {
    const r = naiveRsi(b.close, p.period as number);
    return stateMachine(b.length, p.period as number, (i) => r[i] < (p.lower as number), (i) => r[i] > (p.upper as number));
  },
  ema_cross(b, p) {
    const [f, s] = [naiveEma(b.close, p.fast as number), naiveEma(b.close, p.slow as number)];
    return f.map((v, i) => (i >= (p.slow as number) - 1 && v > s[i] ? 1 : 0));
  },
  bollinger_reversion(b, p) {
    const n = p.period as number;
    const m = naiveSma(b.close, n);
    const sd = (i: number) => Math.sqrt(b.close.subarray(i - n + 1, i + 1).reduce((acc, x) => acc + (x - m[i]) ** 2, 0) / n);
    return stateMachine(b.length, n - 1, (i) => b.close[i] < m[i] - (p.k as number) * sd(i), (i) => b.close[i] >= m[i]);
  },
  macd(b, p) {
    const [f, s, g] = [p.fast as number, p.slow as number, p.signal as number];
    const ef = naiveEma(b.close, f);
    const es = naiveEma(b.close, s);
    const line = ef.map((v, i) => v - es[i]);
    const sig = naiveEma(line, g, s - 1);
    return line.map((v, i) => (i >= s + g - 2 && v > sig[i] ? 1 : 0));
  },
  supertrend(b, p) {
    // The TradingView formulation: trend flips against the previous bar's bands.
    const n = p.period as number;
    const atr = naiveAtr(b, n);
    const up: number[] = [];
    const dn: number[] = [];
    const w: number[] = [];
    let trend = 0;
    for (let i = 0; i < b.length; i++) {
      const src = (b.high[i] + b.low[i]) / 2;
      const basicUp = src + (p.multiplier as number) * atr[i];
      const basicDn = src - (p.multiplier as number) * atr[i];
      if (i <= n) {
        up.push(basicUp);
        dn.push(basicDn);
        w.push(0);
        continue;
      }
      const up1 = up[i - 1];
      const dn1 = dn[i - 1];
      up.push(b.close[i - 1] < up1 ? Math.min(basicUp, up1) : basicUp);
      dn.push(b.close[i - 1] > dn1 ? Math.max(basicDn, dn1) : basicDn);
      trend = trend === 0 && b.close[i] > up1 ? 1 : trend === 1 && b.close[i] < dn1 ? 0 : trend;
      w.push(trend);
    }
    return w;
  },
  keltner_breakout(b, p) {
    const n = p.period as number;
    const m = naiveEma(b.close, n);
    const atr = naiveAtr(b, n);
    return stateMachine(b.length, n, (i) => b.close[i] > m[i] + (p.multiplier as number) * atr[i], (i) => b.close[i] < m[i]);
  },
  ml_signal(b, p) {
    const prob = naiveModelProbabilities(b, p.model as string);
    return stateMachine(b.length, 48, (i) => prob[i]! > (p.entry as number), (i) => prob[i]! < (p.exit as number));
  },
};

/**
 * docs/training.md's features computed bar by bar from their definitions (sums over windows,
 * no running sums), standardised with the model's normalisation (each value rounded to float32
 * as the network's input), then the network's layers as written: ReLU hidden layers, sigmoid out.
 */
function naiveModelProbabilities(b: Bars, dir: string): number[] {
  const m = readModelFolder(dir);
  const c = b.close;
  const lr = (k: number) => Math.log(c[k] / c[k - 1]);
  const vol = (i: number, n: number) => Math.sqrt(Array.from({ length: n }, (_, j) => lr(i - j) ** 2).reduce((a, x) => a + x, 0) / n);
  const rsi = naiveRsi(c, 14);
  return Array.from({ length: b.length }, (_, i) => {
    if (i < 48) return NaN;
    const raw = [lr(i), Math.log(c[i] / c[i - 3]), Math.log(c[i] / c[i - 12]), Math.log(c[i] / c[i - 48]), vol(i, 12), vol(i, 48), c[i] / meanOf(c, i - 47, i) - 1, rsi[i] / 100 - 0.5, (b.high[i] - b.low[i]) / c[i]];
    let a = raw.map((x, f) => Math.fround((x - m.normalisation.mean[f]!) / m.normalisation.std[f]!));
    const widths = [a.length, ...m.topology.hidden, 1];
    for (let l = 0; l + 1 < widths.length; l++) {
      const k = m.topology.tensors[2 * l]!;
      const bias = m.topology.tensors[2 * l + 1]!;
      a = Array.from({ length: widths[l + 1]! }, (_, j) => {
        const s = a.reduce((acc, x, q) => acc + x * m.weights[k.offset + q * widths[l + 1]! + j]!, m.weights[bias.offset + j]!);
        return l + 2 < widths.length ? Math.max(0, s) : s;
      });
    }
    return 1 / (1 + Math.exp(-a[0]!));
  });
}

const CASES: Record<string, Params[]> = {
  sma_cross: [{ fast: 5, slow: 20 }, { fast: 2, slow: 3 }, { fast: 30, slow: 150 }],
  donchian_breakout: [{ entry: 20, exit: 10 }, { entry: 5, exit: 40 }, { entry: 1, exit: 1 }],
  rsi_reversion: [{ period: 14, lower: 30, upper: 70 }, { period: 2, lower: 10, upper: 90 }, { period: 50, lower: 45, upper: 55 }],
  ema_cross: [{ fast: 5, slow: 20 }, { fast: 2, slow: 3 }, { fast: 30, slow: 150 }],
  bollinger_reversion: [{ period: 20, k: 2 }, { period: 10, k: 1 }, { period: 100, k: 0.5 }],
  macd: [{ fast: 12, slow: 26, signal: 9 }, { fast: 3, slow: 40, signal: 2 }, { fast: 30, slow: 100, signal: 30 }],
  supertrend: [{ period: 10, multiplier: 3 }, { period: 5, multiplier: 1 }, { period: 50, multiplier: 2.5 }],
  keltner_breakout: [{ period: 20, multiplier: 2 }, { period: 5, multiplier: 0.5 }, { period: 60, multiplier: 1.5 }],
  ml_signal: [{ model: TINY_MODEL, entry: 0.55, exit: 0.5 }, { model: TINY_MODEL, entry: 0.5, exit: 0.5 }, { model: TINY_MODEL, entry: 0.6, exit: 0.45 }],
};

describe("strategies equal their written definitions on random walks (1,500 bars, 3 seeds)", () => {
  const walks = [1, 2, 3].map((seed) => randomWalkBars(1500, seed));
  for (const [name, cases] of Object.entries(CASES)) {
    test.each(cases)(`${name} %o`, (p) => {
      const strategy = getStrategy(name);
      const scratch = new Scratch(); // shared across walks: the cache must follow the bars
      let trades = 0;
      for (const bars of walks) {
        scratch.clear();
        const w = signalOf(strategy, bars, p, scratch);
        expect(w).toEqual(REFERENCE[name](bars, p));
        trades += w.reduce((acc, v, i) => acc + (i > 0 && v !== w[i - 1] ? 1 : 0), 0);
      }
      expect(trades, "the case exercises both entries and exits").toBeGreaterThan(2);
    });
  }

  test("every registered strategy has a reference and cases here", () => {
    expect(Object.keys(REFERENCE).sort()).toEqual(strategyNames().sort());
    expect(Object.keys(CASES).sort()).toEqual(strategyNames().sort());
  });
});

describe("hand-computed cases", () => {
  test("ema_cross(3, 7): alpha 1/2 and 1/4, SMA seeds", () => {
    // close 1 x7, 5, 5, 1, 1, 1, 1.
    // EMA3 (alpha 0.5): seed mean(1,1,1) = 1 at i=2; i=7: 1 + 0.5*4 = 3; i=8: 4; i=9: 2.5;
    //   i=10: 1.75; i=11: 1.375; i=12: 1.1875.
    // EMA7 (alpha 0.25): seed 1 at i=6; i=7: 2; i=8: 2.75; i=9: 2.3125; i=10: 1.984375;
    //   i=11: 1.73828125; i=12: 1.5537109375.
    // w (warm-up i < 6; at i=6 1 = 1 is not above): long at i = 7, 8, 9.
    const bars = barsOf([1, 1, 1, 1, 1, 1, 1, 5, 5, 1, 1, 1, 1]);
    expect(signalOf(emaCross, bars, { fast: 3, slow: 7 })).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
  });

  test("bollinger_reversion(3, 1): strict entry below the lower band, exit at or above the middle", () => {
    // close 10 10 10 7 10 9 6 7 6.5
    // i=2 [10,10,10]: mean 10, sd 0, lower 10: 10 is not below -> 0 (and 10 >= 10 exits)
    // i=3 [10,10,7]: mean 9, sd sqrt(6/3) = 1.414, lower 7.586: 7 below -> enter
    // i=4 [10,7,10]: mean 9: 10 >= 9 -> exit
    // i=5 [7,10,9]: mean 8.667: 9 >= mean -> 0
    // i=6 [10,9,6]: mean 8.333, sd sqrt(26/9) = 1.700, lower 6.634: 6 below -> enter
    // i=7 [9,6,7]: mean 7.333, sd 1.247, lower 6.086: 7 neither -> hold 1
    // i=8 [6,7,6.5]: mean 6.5 = close -> exit (at the middle band)
    const bars = barsOf([10, 10, 10, 7, 10, 9, 6, 7, 6.5]);
    expect(signalOf(bollingerReversion, bars, { period: 3, k: 1 })).toEqual([0, 0, 0, 1, 0, 0, 1, 1, 0]);
  });
});
