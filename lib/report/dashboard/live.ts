/**
 * A run in progress: the page says so and reloads itself on a timer, so a dashboard kept
 * open (from disk, or served by `stratlab serve`) follows the run's intermediate reports;
 * the final report is written with status "complete" and the reloading stops. Reopening
 * the file shows the newest report too, since every report rewrites it atomically.
 */

/** Seconds between reloads of a running run's page. */
export const RELOAD_SECONDS = 30;

export function liveBanner(status: string, done: number, planned: number): string {
  if (status !== "running") return "";
  return (
    `<div class="live" id="live-banner" role="status">This run is in progress (${done} of ${planned} trials when this report was written). ` +
    `The page reloads its data every ${RELOAD_SECONDS} s <label><input type="checkbox" id="live-pause"> pause</label></div>`
  );
}

export const LIVE_JS = String.raw`(function () {
"use strict";
var S = window.stratlab;
if (!S || S.D.status !== "running") return;
var box = document.getElementById("live-pause");
// ?reload=N in the page's address sets another interval (seconds, at least 1).
var m = /[?&]reload=(\d+)/.exec(location.search);
var ms = (m ? Math.max(1, Number(m[1])) : ${RELOAD_SECONDS}) * 1000;
setTimeout(function tick() {
  if (box && box.checked) { setTimeout(tick, ms); return; }
  location.reload();
}, ms);
})();
`;

export const LIVE_CSS = `.live { max-width: 1500px; margin: 8px auto 0; padding: 8px 20px; background: #fff8e1; border: 1px solid #f0d58c; border-radius: 8px; color: #7a5a00; }`;
