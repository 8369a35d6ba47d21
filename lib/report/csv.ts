/**
 * CSV as RFC 4180 writes it: a header row, CRLF between records, a field quoted (with
 * inner quotes doubled) when it holds a comma, a quote, CR or LF. Numbers are written in
 * their shortest round-trip form (`String(x)`: parsing the text gives the same double);
 * NaN, Infinity, null and undefined are written as an empty field.
 */

export type Cell = number | string | boolean | null | undefined;

export interface Table {
  columns: string[];
  rows: Cell[][];
}

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  const s = typeof v === "boolean" ? String(v) : v;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(table: Table): string {
  const lines = [table.columns.map(csvField).join(",")];
  for (const row of table.rows) lines.push(row.map(csvField).join(","));
  return lines.join("\r\n") + "\r\n";
}
