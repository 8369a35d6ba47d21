import { describe, expect, it } from "vitest";
import { csvField, formatCsv } from "../../lib/report/csv";
import { parseCsv } from "./fixtures";

describe("CSV (RFC 4180)", () => {
  it("quotes fields holding a comma, a quote, CR or LF, doubling inner quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
    expect(csvField(" padded ")).toBe(" padded ");
    expect(csvField("sma_cross|mar|1y")).toBe("sma_cross|mar|1y");
  });

  it("writes numbers in shortest round-trip form and non-finite values as empty", () => {
    for (const x of [0.1 + 0.2, 1 / 3, -2.5e-7, 1e21, 123456789.125, Number.MAX_VALUE, Number.MIN_VALUE]) {
      const s = csvField(x);
      expect(Number(s)).toBe(x);
      expect(s).toBe(String(x));
    }
    expect(csvField(0.30000000000000004)).toBe("0.30000000000000004");
    expect(csvField(-0)).toBe("0");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvField(Number.POSITIVE_INFINITY)).toBe("");
    expect(csvField(Number.NEGATIVE_INFINITY)).toBe("");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(true)).toBe("true");
  });

  it("writes a header and CRLF-terminated records that parse back to the same fields", () => {
    const text = formatCsv({ columns: ["name", "x", "note"], rows: [["a,b", 1.5, 'q "x"'], ["multi\r\nline", Number.NaN, null]] });
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.split("\r\n")[0]).toBe("name,x,note");
    expect(parseCsv(text)).toEqual([
      ["name", "x", "note"],
      ["a,b", "1.5", 'q "x"'],
      ["multi\r\nline", "", ""],
    ]);
  });
});
