import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { barsFromColumns } from "../../lib/data/bars";
import { encodeBarsCsv, loadBars, writeBarsCsv } from "../../lib/data/csv";
import { tempDir } from "./helpers";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

describe("writeBarsCsv", () => {
  it("writes the header, ISO times and shortest numbers, and reads back to the same doubles", () => {
    const t0 = Date.UTC(2024, 2, 1, 23, 55);
    const bars = barsFromColumns({
      t: [t0, t0 + 300_000, t0 + 300_250],
      open: [61126, 0.1 + 0.2, 1e21],
      high: [61217.41, 1 / 3, 123456789012345.6],
      low: [61126, 0.000001, 2e-7],
      close: [61129.92, 100.5, 7],
      volume: [247.32385, 0, 1234.5678901],
    });
    const path = join(tmp.dir, "sub", "out.csv");
    writeBarsCsv(bars, path);
    expect(readFileSync(path, "utf8")).toBe(
      [
        "timestamp,open,high,low,close,volume",
        "2024-03-01T23:55:00Z,61126,61217.41,61126,61129.92,247.32385",
        `2024-03-02T00:00:00Z,${0.1 + 0.2},${1 / 3},0.000001,100.5,0`,
        "2024-03-02T00:00:00.250Z,1e+21,123456789012345.6,2e-7,7,1234.5678901",
        "",
      ].join("\n"),
    );
    // Atomic write: no temp file left beside the target.
    expect(readdirSync(join(tmp.dir, "sub"))).toEqual(["out.csv"]);
    const back = loadBars(path);
    for (const k of ["t", "open", "high", "low", "close", "volume"] as const) expect(Array.from(back[k])).toEqual(Array.from(bars[k]));
  });

  it("formats every number exactly as String(x) does", () => {
    // Prices with 0..12 decimals, tiny, huge and negative values, and raw random doubles.
    let s = 987654321;
    const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
    const xs: number[] = [];
    for (let i = 0; i < 30_000; i++) {
      const kind = i % 5;
      if (kind === 0) xs.push(Math.round(next() * 1e5 * 10 ** (i % 13)) / 10 ** (i % 13));
      else if (kind === 1) xs.push(next() * 10 ** ((i % 40) - 20));
      else if (kind === 2) xs.push(-Math.round(next() * 1e9) / 1e4);
      else if (kind === 3) xs.push(Math.round(next() * 2 ** 53));
      else xs.push(new Float64Array(new Uint32Array([(next() * 2 ** 32) >>> 0, (next() * 0x7fe00000) >>> 0]).buffer)[0]);
    }
    const m = xs.length;
    const bars = barsFromColumns({ t: Array.from({ length: m }, (_, i) => i * 60_000), open: xs, high: xs, low: xs, close: xs, volume: xs });
    const lines = encodeBarsCsv(bars).toString("latin1").split("\n");
    let mismatches = 0;
    for (let i = 0; i < m; i++) if (lines[i + 1].slice(lines[i + 1].indexOf(",") + 1) !== Array(5).fill(String(xs[i])).join(",")) mismatches++;
    expect(mismatches).toBe(0);
  });
});
