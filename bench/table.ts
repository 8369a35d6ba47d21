/** Plain-text tables for the benchmark's stdout. */

export type Cell = string | number | boolean | null | undefined;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Lines printed under the table (what was measured, targets). */
  notes?: string[];
}

/** A number with a sensible number of digits for a table: 3 significant digits, thousands grouped. */
export function fmt(x: Cell): string {
  if (x === null || x === undefined) return "-";
  if (typeof x === "boolean") return x ? "yes" : "no";
  if (typeof x === "string") return x;
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a >= 100 || Number.isInteger(x)) return Math.round(x).toLocaleString("en-US");
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Columns left-aligned when the first row holds text there, right-aligned otherwise. */
export function renderTable(t: Table): string {
  const cells = t.rows.map((r) => r.map(fmt));
  const widths = t.columns.map((c, j) => Math.max(c.length, ...cells.map((r) => (r[j] ?? "").length)));
  const left = t.columns.map((_, j) => typeof t.rows[0]?.[j] === "string");
  const line = (r: string[]) => r.map((c, j) => (left[j] ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ").trimEnd();
  const out = [t.title, line(t.columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  for (const n of t.notes ?? []) out.push(`  ${n}`);
  return out.join("\n");
}
