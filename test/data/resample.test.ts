import { describe, expect, it } from "vitest";
import { barsFromColumns } from "../../lib/data/bars";
import { resample } from "../../lib/data/resample";
import { UsageError } from "../../lib/errors";

const T0 = Date.UTC(2024, 2, 1, 10, 0);
const MIN = 60_000;

describe("resample", () => {
  it("aggregates 1-minute bars into 5-minute bars on the UTC grid, leaving empty bins out", () => {
    // Minutes 3..4 fall in the 10:00 bin, 5..9 in 10:05, nothing in 10:10, 16 in 10:15.
    const minutes = [3, 4, 5, 6, 7, 9, 16];
    const ones = barsFromColumns({
      t: minutes.map((m) => T0 + m * MIN),
      open: [10, 11, 12, 13, 14, 15, 16],
      high: [11, 13, 14, 18, 15, 16, 17],
      low: [9, 10, 11, 12, 8, 14, 15],
      close: [11, 12, 13, 14, 15, 16, 16.5],
      volume: [1, 2, 3, 4, 5, 6, 7],
    });
    const five = resample(ones, 5);
    expect(five.length).toBe(3);
    expect(five.barMs).toBe(5 * MIN);
    expect(Array.from(five.t)).toEqual([T0, T0 + 5 * MIN, T0 + 15 * MIN]);
    expect(Array.from(five.open)).toEqual([10, 12, 16]);
    expect(Array.from(five.high)).toEqual([13, 18, 17]);
    expect(Array.from(five.low)).toEqual([9, 8, 15]);
    expect(Array.from(five.close)).toEqual([12, 16, 16.5]);
    expect(Array.from(five.volume)).toEqual([3, 18, 7]);
    expect(five.t.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("aligns days to midnight UTC", () => {
    const hours = [22, 23, 24, 25].map((h) => Date.UTC(2024, 2, 1) + h * 3_600_000);
    const hourly = barsFromColumns({ t: hours, open: [1, 2, 3, 4], high: [2, 3, 4, 5], low: [0.5, 1, 2, 3], close: [2, 3, 4, 5], volume: [1, 1, 1, 1] });
    const daily = resample(hourly, 1440);
    expect(Array.from(daily.t)).toEqual([Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 2)]);
    expect(Array.from(daily.close)).toEqual([3, 5]);
  });

  it("refuses a bar size that is not a whole multiple of the bars' spacing", () => {
    const five = barsFromColumns({ t: [0, 5 * MIN, 10 * MIN], open: [1, 1, 1], high: [1, 1, 1], low: [1, 1, 1], close: [1, 1, 1], volume: [1, 1, 1] });
    expect(() => resample(five, 1)).toThrow(UsageError);
    expect(() => resample(five, 7)).toThrow("cannot resample 5m bars to 7m; the new bar must be a whole multiple of 5m");
    expect(() => resample(five, 0)).toThrow(UsageError);
    expect(resample(five, 15).length).toBe(1);
  });
});
