/**
 * The best trials of a run as tables: lib/report's top lists (the ones top.csv and the
 * dashboard show), one table per objective by its value, or one overall by total return.
 */
import { UsageError } from "../errors";
import { topLists, type TopEntry } from "../report";
import { formatParams, showTable, type Row, type TableOptions } from "./table";
import { runData, type RunSource } from "./run-source";

/** The metrics a top table shows, of each trial's own study period. */
export const TOP_METRICS = ["total_return", "max_drawdown", "sharpe", "mar", "cps_v2", "trades"] as const;

export interface TopOptions {
  /** "objective" (default): a table per objective, by its value; "return": one table, every study by total return. */
  ranking?: "objective" | "return";
  /** Only this objective's table. */
  objective?: string;
}

function row(e: TopEntry): Row {
  const r: Row = { rank: e.rank, study: e.study, trial: e.trial, value: e.value, params: formatParams(e.params) };
  for (const k of TOP_METRICS) r[k] = e.metrics[k];
  return r;
}

/** The top lists as rows, keyed by the table's caption. */
export function topRows(source: RunSource, n = 10, opts: TopOptions = {}): Array<{ caption: string; rows: Row[] }> {
  const run = runData(source);
  const top = topLists(run, n);
  if (opts.ranking === "return") {
    return [{ caption: `top ${n} of all studies by total return on each study's period`, rows: top.overall.map(row) }];
  }
  const objectives = opts.objective !== undefined ? [opts.objective] : Object.keys(top.byObjective);
  return objectives.map((o) => {
    const list = top.byObjective[o];
    if (list === undefined) throw new UsageError(`the run has no objective "${o}"; it has ${Object.keys(top.byObjective).join(", ")}`);
    return { caption: `top ${n} by ${o} (value = ${o} on the study's period)`, rows: list.map(row) };
  });
}

/** Show the top `n` trials (default 10) as tables; text outside a notebook. */
export function showTop(source: RunSource, n = 10, opts: TopOptions & TableOptions = {}): void {
  for (const t of topRows(source, n, opts)) showTable(t.rows, { digits: 4, ...opts, limit: opts.limit ?? n, caption: opts.caption ?? t.caption });
}
