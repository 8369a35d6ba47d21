/** The real exchange files under ../shared/data (see SOURCES.md there); skipped when absent. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeBars } from "../../lib/data/bars";
import { loadBars, writeBarsCsv } from "../../lib/data/csv";
import { sha256 } from "../../lib/io/atomic";
import { BINANCE_CSV, BITMEX_CSV, tempDir } from "./helpers";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe.skipIf(!existsSync(BINANCE_CSV))("Binance BTC/USDT 5m (2024-03 .. 2025-07)", () => {
  it("loads 140,614 contiguous bars without a warning, matching SOURCES.md", () => {
    const warnings: string[] = [];
    const bars = loadBars(BINANCE_CSV, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    const s = describeBars(bars);
    expect(s.rows).toBe(140_614);
    expect(s.first).toBe("2024-03-01T00:00:00Z");
    expect(s.last).toBe("2025-07-02T05:45:00Z");
    expect(s.barMs).toBe(300_000);
    expect(s.gaps.count).toBe(0);
    expect(s.price.low).toBe(49_000);
    expect(s.price.high).toBe(111_980);
    expect(bars.open[0]).toBe(61130.99);
    expect(bars.volume[0]).toBe(247.32385);
  });

  it("writes back byte for byte (same header, ISO times, shortest numbers)", () => {
    const out = join(tmp.dir, "binance.csv");
    writeBarsCsv(loadBars(BINANCE_CSV), out);
    expect(sha256(readFileSync(out))).toBe(sha256(readFileSync(BINANCE_CSV)));
  });
});

describe.skipIf(!existsSync(BITMEX_CSV))("BitMEX XBTUSD 5m (2017-01 .. 2019-06)", () => {
  it("loads 254,880 bars, keeping the 23,153 opens outside [low, high]", () => {
    const warnings: string[] = [];
    const bars = loadBars(BITMEX_CSV, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(bars.length).toBe(254_880);
    let outside = 0;
    for (let i = 0; i < bars.length; i++) if (bars.open[i] > bars.high[i] || bars.open[i] < bars.low[i]) outside++;
    expect(outside).toBe(23_153);
    const s = describeBars(bars);
    expect([s.first, s.last]).toEqual(["2017-01-01T00:00:00Z", "2019-06-04T23:55:00Z"]);
    expect([s.price.low, s.price.high]).toEqual([724, 20_093]);
    expect(s.volume.zeroBars).toBe(1_191);
  });

  it("writes back byte for byte", () => {
    const out = join(tmp.dir, "bitmex.csv");
    writeBarsCsv(loadBars(BITMEX_CSV), out);
    expect(sha256(readFileSync(out))).toBe(sha256(readFileSync(BITMEX_CSV)));
  });
});
