/**
 * A progress bar for long loops in a notebook: one output that redraws in place (tslab's
 * `newDisplay()`), at most every 200 ms. Outside a notebook it prints a line every 10%.
 * `update` is a plain `(done, total?) => void`, so it can be handed to anything that
 * reports progress through a callback.
 */
import { escapeHtml, updatableDisplay } from "./display";

export interface ProgressBar {
  /** Set the count done (and optionally a new total); safe to call very often. */
  update: (done: number, total?: number, note?: string) => void;
  /** Advance by `n` (default 1). */
  tick: (n?: number) => void;
  /** Draw the final state (100% unless told otherwise). */
  finish: (note?: string) => void;
}

const REDRAW_MS = 200;

/**
 * One bar as HTML. The time left is extrapolated from `seconds` and the fraction done,
 * unless `etaSeconds` gives it (a resumed run's rate is not done / seconds).
 */
export function progressHtml(label: string, done: number, total: number, seconds: number, note = "", etaSeconds?: number): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const pct = (frac * 100).toFixed(1);
  const left = etaSeconds !== undefined ? (Number.isFinite(etaSeconds) ? etaSeconds : null) : frac > 0 ? (seconds * (1 - frac)) / frac : null;
  const eta = left !== null && frac < 1 ? ` · ${formatSeconds(left)} left` : "";
  return (
    `<div style="font-family:monospace;font-size:12px">` +
    `<span>${escapeHtml(label)}</span> ` +
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
  const draw = (force: boolean) => {
    const now = Date.now();
    const seconds = (now - started) / 1000;
    if (display !== undefined) {
      if (!force && now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      display.html(progressHtml(label, done, total, seconds, note));
      return;
    }
    const tenth = total > 0 ? Math.floor((10 * Math.min(done, total)) / total) : 0;
    if (!force && tenth === lastTenth) return;
    lastTenth = tenth;
    console.log(`${label}: ${done}/${total} (${tenth * 10}%) ${formatSeconds(seconds)}${note ? ` ${note}` : ""}`);
  };
  let drewEnd = false;
  draw(true);
  const update = (d: number, t?: number, n?: string) => {
    done = d;
    if (t !== undefined) total = t;
    if (n !== undefined) note = n;
    // The final state is always drawn, once.
    const end = done >= total && !drewEnd;
    if (end) drewEnd = true;
    draw(end);
  };
  return {
    update,
    tick: (n = 1) => update(done + n),
    finish: (n?: string) => {
      if (drewEnd && n === undefined) return;
      if (n !== undefined) note = n;
      if (done < total) done = total;
      drewEnd = true;
      draw(true);
    },
  };
}
