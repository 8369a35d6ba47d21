import { readdirSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadBars } from "../../lib/data/csv";
import { HEADER, tempDir } from "./helpers";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const T0 = Date.UTC(2024, 2, 1); // 2024-03-01T00:00:00Z

describe("loadBars reads the accepted CSV forms", () => {
  it("reads ISO timestamps and exact values into shared columns", () => {
    const path = tmp.file(
      "iso.csv",
      [HEADER, "2024-03-01T00:00:00Z,61130.99,61217.41,61126,61129.92,247.32385", "2024-03-01T00:05:00Z,61129.91,61338.72,61129.91,61297.55,168.70388", ""].join("\n"),
    );
    const bars = loadBars(path);
    expect(bars.length).toBe(2);
    expect(Array.from(bars.t)).toEqual([T0, T0 + 300_000]);
    expect(Array.from(bars.open)).toEqual([61130.99, 61129.91]);
    expect(Array.from(bars.high)).toEqual([61217.41, 61338.72]);
    expect(Array.from(bars.low)).toEqual([61126, 61129.91]);
    expect(Array.from(bars.close)).toEqual([61129.92, 61297.55]);
    expect(Array.from(bars.volume)).toEqual([247.32385, 168.70388]);
    expect(bars.barMs).toBe(300_000);
    expect(bars.source).toBe(path);
    expect(bars.t.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(bars.volume.buffer).toBe(bars.t.buffer);
  });

  it("takes header names in any case and order, ignores extra columns, reads CRLF without a trailing newline", () => {
    const path = tmp.file(
      "mixed.csv",
      ["Volume,CLOSE,note,Low,High,Open,T", "10,101,a,99,102,100,2024-03-01T00:00:00Z", "20,102.5,b,100.5,103,101,2024-03-01T00:05:00Z"].join("\r\n"),
    );
    const bars = loadBars(path);
    expect(bars.length).toBe(2);
    expect(Array.from(bars.open)).toEqual([100, 101]);
    expect(Array.from(bars.high)).toEqual([102, 103]);
    expect(Array.from(bars.low)).toEqual([99, 100.5]);
    expect(Array.from(bars.close)).toEqual([101, 102.5]);
    expect(Array.from(bars.volume)).toEqual([10, 20]);
    expect(Array.from(bars.t)).toEqual([T0, T0 + 300_000]);
  });

  it("detects Unix seconds and Unix ms from the size of the first timestamp", () => {
    const s = T0 / 1000;
    const secs = tmp.file("s.csv", `t,open,high,low,close,volume\n${s},1,2,0.5,1.5,3\n${s + 60},1.5,2,1,1.8,4\n`);
    const ms = tmp.file("ms.csv", `timestamp,open,high,low,close,volume\n${T0},1,2,0.5,1.5,3\n${T0 + 60_000},1.5,2,1,1.8,4\n`);
    expect(Array.from(loadBars(secs).t)).toEqual([T0, T0 + 60_000]);
    expect(Array.from(loadBars(ms).t)).toEqual([T0, T0 + 60_000]);
    expect(loadBars(secs).barMs).toBe(60_000);
  });

  it("reads ISO variants: offsets, a space separator, milliseconds, no zone as UTC", () => {
    const path = tmp.file(
      "variants.csv",
      [
        HEADER,
        "2024-03-01 00:00:00,1,1,1,1,0",
        "2024-03-01T02:05:00+02:00,1,1,1,1,0", // 00:05 UTC
        "2024-03-01T00:10:00.250Z,1,1,1,1,0",
        "2024-02-29T19:15-05:00,1,1,1,1,0", // 00:15 UTC next day (leap day input)
      ].join("\n"),
    );
    expect(Array.from(loadBars(path).t)).toEqual([T0, T0 + 300_000, T0 + 600_250, T0 + 900_000]);
  });

  it("accepts a BOM, quoted fields, blank lines and exponent numbers", () => {
    const path = tmp.file(
      "bom.csv",
      "\uFEFF" + ['"timestamp","open","high","low","close","volume"', '"2024-03-01T00:00:00Z",1,2,0.5,1.5,1e-7', "", '2024-03-01T00:05:00Z, 1.5 ,2,1,1.8,"4"', ""].join("\n"),
    );
    const bars = loadBars(path);
    expect(bars.length).toBe(2);
    expect(Array.from(bars.volume)).toEqual([1e-7, 4]);
    expect(Array.from(bars.open)).toEqual([1, 1.5]);
  });

  it("parses decimals to the same double as Number()", () => {
    const values = ["0.1", "0.3", "123456789.12345", "9007199254740993", "0.000001234", "1234567890123456789", "3.14159265358979323846", "1E3", "65535.99999999999"];
    const lines = values.map((v, i) => `${T0 + i * 60_000},${v},${v},${v},${v},${v}`);
    const bars = loadBars(tmp.file("num.csv", [HEADER, ...lines].join("\n")));
    expect(Array.from(bars.close)).toEqual(values.map(Number));
  });

  it("parses 20,000 random plain decimals bit for bit like Number()", () => {
    // A fixed linear congruential stream: the same digits every run.
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    const values: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const intDigits = next() % 8;
      const fracDigits = next() % 10;
      let s = intDigits === 0 ? "0" : String(1 + (next() % 9));
      for (let k = 1; k < intDigits; k++) s += String(next() % 10);
      if (fracDigits > 0) s += ".";
      for (let k = 0; k < fracDigits; k++) s += String(next() % 10);
      values.push(s);
    }
    const lines = values.map((v, i) => `${T0 + i * 60_000},1,1,1,1,${v}`);
    const bars = loadBars(tmp.file("fuzz.csv", [HEADER, ...lines].join("\n")));
    const expected = values.map(Number);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) if (!Object.is(bars.volume[i], expected[i])) mismatches++;
    expect(mismatches).toBe(0);
  });

  it("accepts an open outside [low, high] (BitMEX tradeBin bars have it)", () => {
    const bars = loadBars(tmp.file("open.csv", `${HEADER}\n2024-03-01T00:00:00Z,105,102,99,101,5\n`));
    expect(bars.open[0]).toBe(105);
  });

  it("reports gaps in the time grid through onWarning, once, without failing", () => {
    const times = [0, 5, 10, 25, 30, 35, 40, 45, 50, 70, 75].map((m) => new Date(T0 + m * 60_000).toISOString());
    const path = tmp.file("gaps.csv", [HEADER, ...times.map((t) => `${t},1,2,0.5,1.5,3`)].join("\n"));
    const warnings: string[] = [];
    const bars = loadBars(path, { onWarning: (w) => warnings.push(w) });
    expect(bars.length).toBe(11);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe(
      `${path}: 2 gaps in the 5m time grid (5 bars missing); largest 20m at line 11 (2024-03-01T00:50:00Z -> 2024-03-01T01:10:00Z); first at line 5 (2024-03-01T00:10:00Z -> 2024-03-01T00:25:00Z)`,
    );
  });

  it("says nothing through onWarning for a contiguous file", () => {
    const warnings: string[] = [];
    loadBars(tmp.file("ok.csv", `${HEADER}\n2024-03-01T00:00:00Z,1,2,0.5,1.5,3\n2024-03-01T00:05:00Z,1,2,0.5,1.5,3\n`), { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
  });

  it("writes nothing next to the file it reads", () => {
    loadBars(tmp.file("a.csv", `${HEADER}\n2024-03-01T00:00:00Z,1,2,0.5,1.5,3\n`));
    expect(readdirSync(tmp.dir)).toEqual(["a.csv"]);
  });
});
