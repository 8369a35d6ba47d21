/**
 * A cell whose last expression is a danfo DataFrame (or Series), `result.records()` or
 * `result.top()` shows an HTML table instead of console text. tslab prints a cell's value
 * with console.log, which asks the value's `util.inspect.custom` for its text: in a
 * notebook that hook puts the table in the cell's output and returns a one-line summary.
 * Installed once, only inside a tslab kernel; elsewhere nothing changes.
 */
import { inspect } from "node:util";
import { onDanfoLoad } from "../data/frame";
import { OptimizeResult } from "../lab/optimize";
import type { TrialLine } from "../optimize/storage/types";
import { cellDisplay, inNotebook } from "./display";
import { formatParams, tableHtml, type FrameLike, type Row } from "./table";

/** Rows shown by a displayed value (the caption says how many there are). */
const LIMIT = 20;

let installed = false;

type Inspect = (depth: number, options: unknown, inspectFn: typeof inspect) => string;

/** The HTML table for `rows`, shown now, and the summary line console.log prints under it. */
function showAndSummarise(source: readonly Row[] | FrameLike, summary: string): string {
  const d = cellDisplay();
  if (d === undefined) return summary;
  d.html(tableHtml(source, { limit: LIMIT, caption: summary }));
  return summary;
}

/** Give an array of rows an HTML view (non-enumerable: the data is unchanged). */
export function withTableView<T extends object>(rows: T[], toRows: (rows: T[]) => Row[], what: string): T[] {
  if (!installed) return rows;
  const custom: Inspect = function (this: T[]) {
    return showAndSummarise(toRows(this), `${what}: ${this.length} rows`);
  };
  Object.defineProperty(rows, inspect.custom, { value: custom, enumerable: false, configurable: true });
  return rows;
}

/** Trial lines as table rows: study, id, state, value, parameters. */
export function trialRows(lines: readonly TrialLine[]): Row[] {
  return lines.map((t) => ({ study: t.study, trial: t.id, state: t.state, value: t.value, params: formatParams(t.params) }));
}

type DanfoLike = { DataFrame: { prototype: object; new (data: Record<string, unknown[]>): Record<string, unknown> }; Series: { prototype: object } };

function patchDanfo(d: DanfoLike): void {
  const frame: Inspect = function (this: { columns: string[]; values: unknown[][]; index: Array<string | number>; shape: number[] }) {
    return showAndSummarise({ columns: this.columns, values: this.values, index: this.index }, `DataFrame: ${this.shape[0]} rows x ${this.shape[1]} columns`);
  };
  const series: Inspect = function (this: { columns: string[]; values: unknown[]; index: Array<string | number> }) {
    return showAndSummarise({ columns: this.columns, values: this.values, index: this.index }, `Series: ${this.values.length} values`);
  };
  // Frames made by danfo's methods (head, columns...) are of its internal build: other
  // classes than d.DataFrame and d.Series. Patch both builds.
  const sample = new d.DataFrame({ a: [1] });
  const head = (sample.head as (n: number) => object)(1);
  for (const proto of new Set([d.DataFrame.prototype, Object.getPrototypeOf(head) as object])) {
    Object.defineProperty(proto, inspect.custom, { value: frame, configurable: true, writable: true });
  }
  const column = sample.a as object;
  for (const proto of new Set([d.Series.prototype, Object.getPrototypeOf(column) as object])) {
    Object.defineProperty(proto, inspect.custom, { value: series, configurable: true, writable: true });
  }
}

/** In a tslab kernel: HTML tables for danfo frames and the trial tables of OptimizeResult. */
export function installRichDisplay(force = false): void {
  if (installed || (!force && !inNotebook())) return;
  installed = true;
  onDanfoLoad((d) => patchDanfo(d as unknown as DanfoLike));
  const proto = OptimizeResult.prototype;
  const records = proto.records;
  const top = proto.top;
  proto.records = function (this: OptimizeResult) {
    return withTableView(records.call(this), (r) => r as Row[], "trial records");
  };
  proto.top = function (this: OptimizeResult, n?: number, study?: string) {
    return withTableView(top.call(this, n, study), trialRows, `top trials${study ? ` of ${study}` : ""}`);
  };
}
