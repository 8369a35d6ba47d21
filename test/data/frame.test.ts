import { describe, expect, it } from "vitest";
import { barsFromColumns } from "../../lib/data/bars";
import { toDataFrame } from "../../lib/data/frame";

describe("toDataFrame", () => {
  it("gives one row per bar with ISO timestamps and the exact prices", () => {
    const t0 = Date.UTC(2024, 2, 1);
    const bars = barsFromColumns({
      t: [t0, t0 + 300_000, t0 + 600_000],
      open: [61130.99, 61129.91, 61297.56],
      high: [61217.41, 61338.72, 61338.12],
      low: [61126, 61129.91, 61224.48],
      close: [61129.92, 61297.55, 61224.49],
      volume: [247.32385, 168.70388, 96.93281],
    });
    const df = toDataFrame(bars);
    expect(df.shape).toEqual([3, 6]);
    expect(df.columns).toEqual(["timestamp", "open", "high", "low", "close", "volume"]);
    expect(df.column("timestamp").values).toEqual(["2024-03-01T00:00:00Z", "2024-03-01T00:05:00Z", "2024-03-01T00:10:00Z"]);
    expect(df.column("close").values[1]).toBe(61297.55);
    expect(df.column("volume").values[2]).toBe(96.93281);
  });
});
