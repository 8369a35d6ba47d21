import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadBars } from "../../lib/data/csv";
import { DataError } from "../../lib/errors";
import { HEADER, tempDir } from "./helpers";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const ROW1 = "2024-03-01T00:00:00Z,100,102,99,101,5";
const ROW2 = "2024-03-01T00:05:00Z,101,103,100,102,6";

/** Load `text` and return the DataError message (fails the test when loading succeeds or throws something else). */
function failure(text: string): { message: string; path: string } {
  const path = join(tmp.dir, "bad.csv");
  writeFileSync(path, text);
  try {
    loadBars(path);
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    const message = (e as Error).message;
    expect(message).not.toContain("\n");
    // Nothing is written when loading fails.
    expect(readdirSync(tmp.dir)).toEqual(["bad.csv"]);
    return { message, path };
  }
  throw new Error("loadBars accepted a bad file");
}

describe("loadBars rejects bad input with one line naming file, line and field", () => {
  it("an empty file", () => {
    const { message, path } = failure("");
    expect(message).toBe(`${path}: file is empty; expected a header (timestamp,open,high,low,close,volume) and one row per bar`);
    expect(failure("\n \r\n").message).toContain("file is empty");
  });

  it("a header without data rows", () => {
    const { message, path } = failure(HEADER + "\n");
    expect(message).toBe(`${path}: no data rows after the header (line 1); add one row per bar`);
  });

  it("a missing column, listing what is required", () => {
    const { message, path } = failure("timestamp,open,high,low,price\n" + "2024-03-01T00:00:00Z,1,2,0.5,1\n");
    expect(message).toBe(`${path} line 1: header lacks close, volume; required columns: timestamp (or t), open, high, low, close, volume (found: timestamp, open, high, low, price)`);
    expect(failure("date,open,high,low,close,volume\n").message).toContain("header lacks timestamp");
  });

  it("a column given twice", () => {
    expect(failure("t,timestamp,open,high,low,close,volume\n").message).toContain('line 1: columns 1 ("t") and 2 ("timestamp") both give timestamp; keep one');
  });

  it("an empty value", () => {
    const { message, path } = failure([HEADER, ROW1, "2024-03-01T00:05:00Z,101,103,100,,6"].join("\n"));
    expect(message).toBe(`${path} line 3: close is empty; fill it in or delete the row`);
    expect(failure([HEADER, ",1,2,0.5,1,1"].join("\n")).message).toContain("line 2: timestamp is empty");
  });

  it("a non-numeric value", () => {
    const { message, path } = failure([HEADER, ROW1, "2024-03-01T00:05:00Z,101,abc,100,102,6"].join("\n"));
    expect(message).toBe(`${path} line 3: high "abc" is not a number; write a plain decimal such as 61130.99`);
    expect(failure([HEADER, "2024-03-01T00:00:00Z,1,2,0.5,1,NaN"].join("\n")).message).toContain('volume "NaN" is not a number');
    expect(failure([HEADER, "2024-03-01T00:00:00Z,0x10,2,0.5,1,1"].join("\n")).message).toContain('open "0x10" is not a number');
    expect(failure([HEADER, "2024-03-01T00:00:00Z,1.2.3,2,0.5,1,1"].join("\n")).message).toContain('open "1.2.3" is not a number');
  });

  it("a row with too few fields", () => {
    const { message, path } = failure([HEADER, ROW1, "2024-03-01T00:05:00Z,101,103"].join("\n"));
    expect(message).toBe(`${path} line 3: row has 3 fields but the header has 6; low, close, volume missing`);
  });

  it("a timestamp that is not a time, or changes form", () => {
    expect(failure([HEADER, "yesterday,1,2,0.5,1,1"].join("\n")).message).toContain('line 2: timestamp "yesterday" is not a time; write ISO 8601 (2024-03-01T00:00:00Z), Unix seconds or Unix ms');
    expect(failure([HEADER, "2024-02-30T00:00:00Z,1,2,0.5,1,1"].join("\n")).message).toContain('"2024-02-30T00:00:00Z" is not a time');
    expect(failure([HEADER, "2024-03-01T24:00:00Z,1,2,0.5,1,1"].join("\n")).message).toContain("is not a time");
    expect(failure([HEADER, ROW1, "1709251500,1,2,0.5,1,1"].join("\n")).message).toContain('line 3: timestamp "1709251500" is not ISO 8601 like the first row; use one form for the whole file');
    expect(failure(["t,open,high,low,close,volume", "1709251200,1,2,0.5,1,1", "1709251500000,1,2,0.5,1,1"].join("\n")).message).toContain(
      "line 3: t 1709251500000 looks like Unix ms but the first row uses Unix seconds; use one unit for the whole file",
    );
  });

  it("a time beyond what a date can hold, still in one line", () => {
    const { message } = failure(["t,open,high,low,close,volume", "1e30,1,2,0.5,1,1", "2e29,1,2,0.5,1,1"].join("\n"));
    expect(message).toContain("line 3: t 2e+23 is earlier than line 2 (1e+24)");
  });

  it("a duplicate timestamp, naming both lines", () => {
    const { message, path } = failure([HEADER, ROW1, ROW2, ROW2].join("\n"));
    expect(message).toBe(`${path} line 4: timestamp 2024-03-01T00:05:00Z repeats line 3; remove the duplicate row`);
  });

  it("a timestamp going backwards", () => {
    const { message, path } = failure([HEADER, ROW2, ROW1].join("\n"));
    expect(message).toBe(`${path} line 3: timestamp 2024-03-01T00:00:00Z is earlier than line 2 (2024-03-01T00:05:00Z); sort the rows by time, oldest first`);
  });

  it("high below low", () => {
    const { message, path } = failure([HEADER, ROW1, "2024-03-01T00:05:00Z,101,99,100,100,6"].join("\n"));
    expect(message).toBe(`${path} line 3: high 99 is below low 100; fix the row (high is the bar's highest price)`);
  });

  it("a non-positive price or a negative volume", () => {
    expect(failure([HEADER, "2024-03-01T00:00:00Z,0,2,0.5,1,1"].join("\n")).message).toContain("line 2: open 0 must be a positive price");
    expect(failure([HEADER, "2024-03-01T00:00:00Z,1,2,0.5,1,-3"].join("\n")).message).toContain("line 2: volume -3 is negative");
  });

  it("counts blank lines in line numbers", () => {
    expect(failure([HEADER, ROW1, "", "", "2024-03-01T00:05:00Z,101,103,100,x,6"].join("\n")).message).toContain("line 5: close");
    expect(failure([HEADER, ROW1, "2024-03-01T00:05:00Z,101,103,100,x,6"].join("\r\n")).message).toContain("line 3: close");
  });

  it("a file that cannot be read", () => {
    const missing = join(tmp.dir, "nope.csv");
    expect(() => loadBars(missing)).toThrow(DataError);
    expect(() => loadBars(missing)).toThrow(`${missing}: cannot read the bars file (ENOENT); pass an existing CSV (stratlab data generate writes one)`);
  });
});
