/** Plain-text tables for the terminal. */
export type Cell = string | number | boolean | null | undefined;

export function formatNumber(x: Cell, digits = 4): string {
  if (typeof x !== "number") return x === null || x === undefined ? "" : String(x);
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(2);
  if (a >= 1) return x.toFixed(digits);
  return x.toPrecision(digits);
}

/** Columns right-aligned for numbers, left for text. */
export function renderTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => formatNumber(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === "number" || r[i] === null || r[i] === undefined));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}
