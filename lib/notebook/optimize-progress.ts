/**
 * The live view of an optimisation run: a bar that redraws in place in a notebook (trials
 * done of planned, elapsed, time left, trials per second) over a small table of the best
 * trial of every study so far. Outside a notebook it prints a plain line every 10%.
 *
 * Rate and time left are the runner's (this session's trials over this session's time):
 * a resumed run starts part-way, so extrapolating from the fraction done would lie.
 */
import type { Progress } from "../optimize/runner";
import type { BestTrial } from "../optimize/study";
import { updatableDisplay } from "./display";
import { formatSeconds, progressHtml } from "./progress";
import { formatCell, formatParams, tableHtml } from "./table";

const REDRAW_MS = 200;

export interface RunProgress {
  /** Hand to `optimize({ onProgress })`. */
  update: (p: Progress) => void;
  /** Draw the final state with a closing note (complete, cancelled ...). */
  finish: (note: string) => void;
}

/** One row per study: its best trial so far (or none yet). */
export function bestRows(best: Record<string, BestTrial | null>): Array<Record<string, unknown>> {
  return Object.entries(best).map(([study, b]) => ({ study, trial: b?.id ?? null, value: b?.value ?? null, params: b ? formatParams(b.params) : "" }));
}

export function rateNote(p: Progress): string {
  return p.sessionDone > 0 ? `${p.rate >= 10 ? p.rate.toFixed(0) : p.rate.toFixed(1)} trials/s` : "";
}

/** The notebook view: the bar, then the best-so-far table. */
export function runProgressHtml(label: string, p: Progress, note = ""): string {
  const rate = rateNote(p);
  const bar = progressHtml(label, p.done, p.total, p.elapsedMs / 1000, [rate, note].filter(Boolean).join(" · "), p.etaMs / 1000);
  const rows = bestRows(p.best);
  return rows.length === 0 ? bar : `${bar}\n<div style="font-size:12px">${tableHtml(rows, { caption: "best so far", digits: 4, limit: 50 })}</div>`;
}

/** The text view: one line. */
export function runProgressLine(label: string, p: Progress, note = ""): string {
  const pct = p.total > 0 ? Math.floor((100 * Math.min(p.done, p.total)) / p.total) : 0;
  const eta = p.done < p.total && Number.isFinite(p.etaMs) ? ` · ${formatSeconds(p.etaMs / 1000)} left` : "";
  const best = Object.entries(p.best)
    .filter(([, b]) => b !== null)
    .map(([k, b]) => `${k} ${formatCell(b?.value, 4)} (#${b?.id})`)
    .join(", ");
  const rate = rateNote(p);
  return `${label}: ${p.done}/${p.total} (${pct}%) · ${formatSeconds(p.elapsedMs / 1000)}${eta}${rate ? ` · ${rate}` : ""}${best ? ` · best ${best}` : ""}${note ? ` · ${note}` : ""}`;
}

export function runProgress(label: string): RunProgress {
  const display = updatableDisplay();
  let last: Progress | null = null;
  let lastDraw = 0;
  let lastTenth = -1;
  let printed: Progress | null = null;
  const draw = (p: Progress, force: boolean, note = "") => {
    if (display !== undefined) {
      const now = Date.now();
      if (!force && now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      display.html(runProgressHtml(label, p, note));
      return;
    }
    const tenth = p.total > 0 ? Math.floor((10 * Math.min(p.done, p.total)) / p.total) : 0;
    if (!force && tenth === lastTenth) return;
    lastTenth = tenth;
    printed = p;
    console.log(runProgressLine(label, p, note));
  };
  return {
    update: (p) => {
      // The first state (what the journal already holds) and the last are always drawn.
      const force = last === null || (p.done >= p.total && (last?.done ?? 0) < p.total);
      last = p;
      draw(p, force);
    },
    finish: (note) => {
      // A line that was just printed is not printed again: only the note is added.
      if (last === null || (display === undefined && printed === last)) console.log(`${label}: ${note}`);
      else draw(last, true, note);
    },
  };
}
