import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/random/rng";
import { downsample, minMaxIndices } from "../../lib/report/downsample";

describe("curve downsampling", () => {
  it("keeps every point of a short curve", () => {
    const y = [3, 1, 2];
    expect(downsample([0, 1, 2], y, 10)).toEqual({ x: [0, 1, 2], y });
  });

  it("keeps first, last, global extremes and order, within the budget", () => {
    const rng = Rng.derive(1, "walk");
    const n = 100_000;
    const y = new Float64Array(n);
    let v = 10_000;
    for (let i = 0; i < n; i++) y[i] = v *= Math.exp(rng.uniform(-0.01, 0.01));
    y[77_777] = 1; // a one-bar crash must survive thinning
    y[12_345] = 1e9; // and a one-bar spike
    const x = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 300_000);
    const idx = minMaxIndices(y, 2000);
    expect(idx.length).toBeLessThanOrEqual(2000);
    expect(idx.length).toBeGreaterThan(1900);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
    const s = downsample(x, y, 2000);
    expect(Math.min(...s.y)).toBe(1);
    expect(Math.max(...s.y)).toBe(1e9);
    expect(s.x[s.y.indexOf(1)]).toBe(x[77_777]);
  });

  it("preserves the deepest drawdown of the full curve", () => {
    const rng = Rng.derive(2, "dd");
    const n = 50_000;
    const eq = new Float64Array(n);
    const dd = new Float64Array(n);
    let v = 1;
    let peak = 1;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      eq[i] = v *= Math.exp(rng.uniform(-0.02, 0.0201));
      peak = Math.max(peak, v);
      dd[i] = 1 - v / peak;
      worst = Math.max(worst, dd[i]);
    }
    const s = downsample(Array.from({ length: n }, (_, i) => i), dd, 500);
    expect(Math.max(...s.y)).toBe(worst);
    expect(s.y.length).toBeLessThanOrEqual(500);
  });
});
