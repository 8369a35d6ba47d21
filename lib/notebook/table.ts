/**
 * Tables in a notebook: records (an array of plain objects) or anything shaped like a danfo
 * DataFrame (`columns` and `values`), shown as an HTML table. No danfo import here: a
 * DataFrame is read through those two properties.
 */
import { cellDisplay, escapeHtml } from "./display";

export type Row = Record<string, unknown>;

/** What a danfo DataFrame looks like from outside. */
export interface FrameLike {
  columns: string[];
  values: unknown[][] | unknown[];
  index?: Array<string | number>;
}

export interface TableOptions {
  /** Rows shown (default 20); the caption says how many were left out. */
  limit?: number;
  /** Significant digits for non-integers (default 6). */
  digits?: number;
  caption?: string;
}

export interface TableData {
  columns: string[];
  rows: unknown[][];
}

function isFrameLike(x: unknown): x is FrameLike {
  return typeof x === "object" && x !== null && Array.isArray((x as FrameLike).columns) && Array.isArray((x as FrameLike).values);
}

/** Columns and rows from records (union of their keys, in first-seen order) or a frame. */
export function tableData(source: readonly Row[] | FrameLike): TableData {
  if (isFrameLike(source)) {
    const rows = (source.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
    const index = source.index;
    if (index && index.length === rows.length && !index.every((v, i) => v === i)) {
      return { columns: ["", ...source.columns], rows: rows.map((r, i) => [index[i], ...r]) };
    }
    return { columns: [...source.columns], rows };
  }
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of source) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), columns.push(k));
  return { columns, rows: source.map((r) => columns.map((c) => r[c])) };
}

export function formatCell(v: unknown, digits = 6): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 10 ** digits ? v.toFixed(2) : String(Number(v.toPrecision(digits)));
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Parameters on one line: "fast=10 slow=50". */
export function formatParams(params: Record<string, unknown>, digits = 4): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${formatCell(v, digits)}`)
    .join(" ");
}

export function tableHtml(source: readonly Row[] | FrameLike, opts: TableOptions = {}): string {
  const { columns, rows } = tableData(source);
  const limit = opts.limit ?? 20;
  const shown = rows.slice(0, Math.max(0, limit));
  const numeric = columns.map((_, c) => shown.length > 0 && shown.every((r) => typeof r[c] === "number" || r[c] === null || r[c] === undefined));
  const cell = (tag: string, v: unknown, c: number) => `<${tag}${numeric[c] ? ' style="text-align:right"' : ""}>${escapeHtml(formatCell(v, opts.digits))}</${tag}>`;
  const note = rows.length > shown.length ? `${shown.length} of ${rows.length} rows` : `${rows.length} rows`;
  const caption = `${opts.caption ? `${escapeHtml(opts.caption)} · ` : ""}${note}`;
  return [
    // Jupyter's stylesheets right-align every cell (JupyterLab with a two-class selector):
    // text columns go back to the left; numeric cells keep their inline right alignment.
    `<style>.stratlab-table.stratlab-table th, .stratlab-table.stratlab-table td { text-align: left; }</style>`,
    `<table class="stratlab-table">`,
    `<caption style="caption-side:bottom;text-align:left">${caption}</caption>`,
    `<thead><tr>${columns.map((h, c) => cell("th", h, c)).join("")}</tr></thead>`,
    `<tbody>`,
    ...shown.map((r) => `<tr>${r.map((v, c) => cell("td", v, c)).join("")}</tr>`),
    `</tbody></table>`,
  ].join("\n");
}

/** Show records or a DataFrame as an HTML table; outside a notebook, print it as text. */
export function showTable(source: readonly Row[] | FrameLike, opts: TableOptions = {}): void {
  const display = cellDisplay();
  if (display !== undefined) {
    display.html(tableHtml(source, opts));
    return;
  }
  const { columns, rows } = tableData(source);
  const shown = rows.slice(0, opts.limit ?? 20).map((r) => r.map((v) => formatCell(v, opts.digits)));
  const widths = columns.map((h, c) => Math.max(h.length, ...shown.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) => cells.map((s, c) => s.padEnd(widths[c])).join("  ").trimEnd();
  console.log([line(columns), ...shown.map(line), `(${shown.length} of ${rows.length} rows)`].join("\n"));
}
