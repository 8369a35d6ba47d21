/**
 * A progress bar for long loops in a notebook: one output that redraws in place (tslab's
 * `newDisplay()`), at most every 200 ms; an update that falls in between is drawn when
 * the 200 ms are up, so the bar never stays behind. Its end is always drawn at once:
 * complete (`finish`), cancelled where it stopped (`cancel`), or failed (`fail`).
 * Outside a notebook it prints a line every 10%, and the end.
 * `update` is a plain `(done, total?) => void`, so it can be handed to anything that
 * reports progress through a callback.
 */
import { escapeHtml, updatableDisplay } from "./display";

export interface ProgressBar {
  /** Set the count done (and optionally a new total); safe to call very often. */
  update: (done: number, total?: number, note?: string) => void;
  /** Advance by `n` (default 1). */
  tick: (n?: number) => void;
  /** Draw the final state: complete, at 100%. */
  finish: (note?: string) => void;
  /** Draw the final state: cancelled where it got to (e.g. "cancelled at bar 80,000"). */
  cancel: (note?: string) => void;
  /** Draw the final state: failed where it got to, with the reason. */
  fail: (note?: string) => void;
}

/** How a bar ended; shown in front of its figures. */
export type ProgressEnd = "complete" | "cancelled" | "failed";

const END_COLOURS: Record<ProgressEnd, string> = { complete: "#1a7f37", cancelled: "#9a6700", failed: "#cf222e" };

const REDRAW_MS = 200;

/**
 * One bar as HTML. The time left is extrapolated from `seconds` and the fraction done,
 * unless `etaSeconds` gives it (a resumed run's rate is not done / seconds).
 */
export function progressHtml(label: string, done: number, total: number, seconds: number, note = "", etaSeconds?: number, end?: ProgressEnd): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const pct = (frac * 100).toFixed(1);
  const left = etaSeconds !== undefined ? (Number.isFinite(etaSeconds) ? etaSeconds : null) : frac > 0 ? (seconds * (1 - frac)) / frac : null;
  const eta = left !== null && frac < 1 && end === undefined ? ` · ${formatSeconds(left)} left` : "";
  const state = end === undefined ? "" : `<b data-state="${end}" style="color:${END_COLOURS[end]}">${end}</b> `;
  return (
    `<div style="font-family:monospace;font-size:12px">` +
    `<span>${escapeHtml(label)}</span> ${state}` +
    `<progress value="${done}" max="${total}" style="width:40%;vertical-align:middle"></progress> ` +
    `<span>${pct}% · ${done}/${total} · ${formatSeconds(seconds)}${eta}${note ? ` · ${escapeHtml(note)}` : ""}</span></div>`
  );
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function progressBar(total: number, label = "progress"): ProgressBar {
  const display = updatableDisplay();
  const started = Date.now();
  let done = 0;
  let note = "";
  let lastDraw = 0;
  let lastTenth = -1;
  let end: ProgressEnd | undefined;
  let trailing: NodeJS.Timeout | undefined;
  const draw = (force: boolean) => {
    const now = Date.now();
    const seconds = (now - started) / 1000;
    if (display !== undefined) {
      if (!force && now - lastDraw < REDRAW_MS) {
        // Draw this state once the interval is up, unless something newer does first.
        trailing ??= setTimeout(() => {
          trailing = undefined;
          if (end === undefined) draw(true);
        }, REDRAW_MS - (now - lastDraw));
        trailing.unref?.();
        return;
      }
      if (trailing !== undefined) (clearTimeout(trailing), (trailing = undefined));
      lastDraw = now;
      display.html(progressHtml(label, done, total, seconds, note, undefined, end));
      return;
    }
    const tenth = total > 0 ? Math.floor((10 * Math.min(done, total)) / total) : 0;
    if (!force && tenth === lastTenth) return;
    lastTenth = tenth;
    console.log(`${label}: ${done}/${total} (${tenth * 10}%) ${formatSeconds(seconds)}${end !== undefined && end !== "complete" ? ` ${end}` : ""}${note ? ` ${note}` : ""}`);
  };
  draw(true);
  const update = (d: number, t?: number, n?: string) => {
    if (end !== undefined) return; // the final state stays
    done = d;
    if (t !== undefined) total = t;
    if (n !== undefined) note = n;
    if (done >= total && total > 0) {
      end = "complete";
      draw(true);
      return;
    }
    draw(false);
  };
  const close = (how: ProgressEnd) => (n?: string) => {
    if (end !== undefined && n === undefined) return;
    end = how;
    if (n !== undefined) note = n;
    if (how === "complete" && done < total) done = total;
    draw(true);
  };
  return { update, tick: (n = 1) => update(done + n), finish: close("complete"), cancel: close("cancelled"), fail: close("failed") };
}
