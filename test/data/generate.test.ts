import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sampleCorrelation } from "simple-statistics";
import { describeBars } from "../../lib/data/bars";
import { encodeBarsCsv, loadBars, writeBarsCsv } from "../../lib/data/csv";
import { generateBars, Sfc32 } from "../../lib/data/generate";
import { UsageError } from "../../lib/errors";
import { sha256 } from "../../lib/io/atomic";
import { tempDir } from "./helpers";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// One two-year data set shared by the statistical checks below.
const bars = generateBars({ days: 730, seed: 1 });
const n = bars.length;
const logReturns = new Float64Array(n - 1);
for (let i = 1; i < n; i++) logReturns[i - 1] = Math.log(bars.close[i] / bars.close[i - 1]);

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}
/** Pearson correlation (simple-statistics). */
function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return sampleCorrelation(Array.from(x), Array.from(y));
}

describe("generateBars", () => {
  it("gives 210,240 five-minute bars for 730 days from 2023-01-01 in shared columns", () => {
    expect(n).toBe(210_240);
    expect(bars.barMs).toBe(300_000);
    expect(bars.t[0]).toBe(Date.UTC(2023, 0, 1));
    expect(bars.t[n - 1]).toBe(Date.UTC(2023, 0, 1) + (n - 1) * 300_000);
    expect(describeBars(bars).gaps.count).toBe(0);
    expect(bars.t.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("keeps OHLC consistent: high >= max(open, close), low <= min(open, close), all positive", () => {
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const o = bars.open[i];
      const c = bars.close[i];
      if (!(bars.high[i] >= Math.max(o, c) && bars.low[i] <= Math.min(o, c) && bars.low[i] > 0 && bars.volume[i] >= 0)) bad++;
    }
    expect(bad).toBe(0);
  });

  it("opens at the previous close or a tick or two away", () => {
    let equal = 0;
    let far = 0;
    for (let i = 1; i < n; i++) {
      const d = Math.abs(bars.open[i] - bars.close[i - 1]);
      if (d === 0) equal++;
      if (d > 0.055) far++; // more than 5 ticks of 0.01
    }
    expect(equal / n).toBeGreaterThan(0.4);
    expect(equal / n).toBeLessThan(0.6);
    expect(far).toBe(0);
  });

  it("has crypto-like volatility and fat tails", () => {
    const m = mean(logReturns);
    let v = 0;
    let k4 = 0;
    for (const r of logReturns) {
      v += (r - m) ** 2;
      k4 += (r - m) ** 4;
    }
    v /= logReturns.length;
    k4 /= logReturns.length;
    const annualVol = Math.sqrt(v * 105_120);
    expect(annualVol).toBeGreaterThan(0.4);
    expect(annualVol).toBeLessThan(0.9);
    expect(k4 / (v * v)).toBeGreaterThan(8); // a normal distribution has 3
  });

  it("clusters volatility: |returns| stay correlated over an hour and a day", () => {
    const abs = logReturns.map(Math.abs);
    const lagged = (lag: number) => correlation(abs.subarray(lag), abs.subarray(0, abs.length - lag));
    expect(lagged(1)).toBeGreaterThan(0.1);
    expect(lagged(12)).toBeGreaterThan(0.1);
    expect(lagged(288)).toBeGreaterThan(0.03);
    // Raw returns themselves carry (almost) no memory.
    expect(Math.abs(correlation(logReturns.subarray(1), logReturns.subarray(0, logReturns.length - 1)))).toBeLessThan(0.05);
  });

  it("trades more when prices move, more on weekdays and around 15:00 UTC than at 03:00", () => {
    const abs = logReturns.map(Math.abs);
    expect(correlation(bars.volume.subarray(1), abs)).toBeGreaterThan(0.3);
    let afternoon = 0;
    let night = 0;
    let weekend = 0;
    let weekday = 0;
    for (let i = 0; i < n; i++) {
      const d = new Date(bars.t[i]);
      const h = d.getUTCHours();
      if (h === 15) afternoon += bars.volume[i];
      if (h === 3) night += bars.volume[i];
      const dow = d.getUTCDay();
      if (dow === 0 || dow === 6) weekend += bars.volume[i] / 2;
      else weekday += bars.volume[i] / 5;
    }
    expect(afternoon / night).toBeGreaterThan(1.5);
    expect(weekday / weekend).toBeGreaterThan(1.15);
  });

  it("switches between regimes: 30-day drifts of both signs", () => {
    const month = 30 * 288;
    let up = 0;
    let down = 0;
    for (let i = month; i < n; i += month) {
      const r = Math.log(bars.close[i] / bars.close[i - month]);
      if (r > 0.1) up++;
      if (r < -0.1) down++;
    }
    expect(up).toBeGreaterThan(0);
    expect(down).toBeGreaterThan(0);
  });

  it("gives the same bytes for the same seed and different bytes for another seed", () => {
    const a = join(tmp.dir, "a.csv");
    const b = join(tmp.dir, "b.csv");
    writeBarsCsv(generateBars({ days: 730, seed: 1 }), a);
    writeBarsCsv(generateBars({ days: 730, seed: 1 }), b);
    const hashA = sha256(readFileSync(a));
    expect(sha256(readFileSync(b))).toBe(hashA);
    expect(sha256(encodeBarsCsv(generateBars({ days: 730, seed: 2 })))).not.toBe(hashA);
    // And the file reads back to the very same numbers.
    const back = loadBars(a);
    expect(back.length).toBe(n);
    expect(Buffer.from(back.close.buffer, back.close.byteOffset, back.close.byteLength).equals(Buffer.from(bars.close.buffer, bars.close.byteOffset, bars.close.byteLength))).toBe(true);
  });

  it("takes bar size, start and start price", () => {
    const hourly = generateBars({ days: 10, seed: 7, barMinutes: 60, start: "2024-06-01T12:00:00Z", startPrice: 2_500 });
    expect(hourly.length).toBe(240);
    expect(hourly.barMs).toBe(3_600_000);
    expect(hourly.t[0]).toBe(Date.UTC(2024, 5, 1, 12));
    expect(Math.abs(hourly.open[0] - 2_500)).toBeLessThan(0.01);
  });

  it("reads a start time without a zone as UTC, whatever the machine's zone", () => {
    const tz = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      expect(generateBars({ days: 1, seed: 1, start: "2024-06-01T12:00:00" }).t[0]).toBe(Date.UTC(2024, 5, 1, 12));
      expect(generateBars({ days: 1, seed: 1, start: "2024-06-01T14:00:00+02:00" }).t[0]).toBe(Date.UTC(2024, 5, 1, 12));
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it("refuses bad options with a usage error", () => {
    expect(() => generateBars({ days: 0, seed: 1 })).toThrow(UsageError);
    expect(() => generateBars({ days: 10, seed: 1.5 })).toThrow("seed 1.5 must be an integer");
    expect(() => generateBars({ days: 10, seed: 1, barMinutes: 2.5 })).toThrow(UsageError);
    expect(() => generateBars({ days: 10, seed: 1, start: "soon" })).toThrow('start "soon" is not an ISO 8601 time');
    expect(() => generateBars({ days: 10, seed: 1, startPrice: -1 })).toThrow(UsageError);
    expect(() => generateBars({ days: 0.001, seed: 1 })).toThrow("hold no 5-minute bar");
  });
});

describe("Sfc32", () => {
  it("is a deterministic stream that differs between nearby seeds", () => {
    const a = new Sfc32(1);
    const b = new Sfc32(1);
    const c = new Sfc32(2);
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
  });

  it("draws uniforms in (0, 1] and unit-variance Student-t values", () => {
    const r = new Sfc32(42);
    let lo = 1;
    let hi = 0;
    let sum2 = 0;
    const m = 200_000;
    for (let i = 0; i < m; i++) {
      const u = r.uniform();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      const z = r.studentT(5);
      sum2 += z * z;
    }
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(sum2 / m).toBeGreaterThan(0.93);
    expect(sum2 / m).toBeLessThan(1.07);
  });
});
