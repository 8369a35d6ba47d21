/**
 * A live view of a training in a notebook: the loss and validation loss per epoch as a plot
 * redrawn in place (at most every 300 ms, and at the end), with the epoch and ETA in its
 * title. Outside a notebook it prints a line every tenth of the epochs.
 */
import type { EpochEvent, EpochStats } from "../train/run";
import { cellDisplay, displayBundle, updatableBundleDisplay, updatableDisplay } from "./display";
import { claimPlotlyEmbed, plotFigure, plotHtml, plotlyScriptHtml, PLOTLY_MIME } from "./plot";
import { formatSeconds } from "./progress";

export interface TrainingView {
  /** Pass as `onEpoch` to `train` / `resumeTraining`. */
  onEpoch: (e: EpochEvent) => void;
  /** Start the curves from a history (e.g. the epochs done before a resume). */
  seed(history: readonly EpochStats[]): void;
}

const REDRAW_MS = 300;

export function trainingProgress(label = "training"): TrainingView {
  // Plotly's MIME bundle beside the HTML when the kernel can send one (every front end
  // picks what it renders); HTML alone otherwise.
  const bundles = updatableBundleDisplay();
  const display = updatableDisplay();
  const history = new Map<number, EpochStats>();
  let lastDraw = 0;
  let drawn = false;
  let lastTenth = -1;
  const draw = (e: EpochEvent, force: boolean) => {
    const now = Date.now();
    if (display === undefined) {
      const tenth = Math.floor((10 * e.epoch) / e.epochs);
      if (tenth === lastTenth && !force) return;
      lastTenth = tenth;
      console.log(`${label}: epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  val loss ${e.val_loss.toFixed(4)}  ETA ${formatSeconds(e.etaMs / 1000)}`);
      return;
    }
    if (!force && now - lastDraw < REDRAW_MS) return;
    lastDraw = now;
    const rows = [...history.values()].sort((a, b) => a.epoch - b.epoch);
    const x = rows.map((r) => r.epoch);
    const title = `${label}: epoch ${e.epoch}/${e.epochs} · loss ${e.loss.toFixed(4)} · val loss ${e.val_loss.toFixed(4)} · ${e.epochsPerSecond.toFixed(1)} epochs/s · ETA ${formatSeconds(e.etaMs / 1000)}`;
    const figure = {
      data: [
        { type: "scatter", mode: "lines+markers", name: "loss (train)", x, y: rows.map((r) => r.loss) },
        { type: "scatter", mode: "lines+markers", name: "validation loss", x, y: rows.map((r) => r.val_loss) },
      ],
      layout: { title, height: 320, xaxis: { title: "epoch", range: [0, e.epochs + 1] }, yaxis: { title: "cross-entropy" }, margin: { t: 50 } },
    };
    // The session's copy of plotly.js, when this view is the first to need one, goes in an
    // output of its own that stays: the live plot below is redrawn in place (a saved notebook
    // keeps only its last drawing) and must not resend 4.6 MB at every epoch.
    if (!drawn && claimPlotlyEmbed()) {
      const library = plotlyScriptHtml();
      if (!displayBundle({ "text/html": library, "text/plain": "" })) cellDisplay()?.html(library);
    }
    const html = plotHtml(figure, { withLibrary: false });
    if (bundles !== undefined) bundles.show({ [PLOTLY_MIME]: plotFigure(figure), "text/html": html, "text/plain": `[plot: ${title}]` });
    else display.html(html);
    drawn = true;
  };
  return {
    onEpoch(e) {
      history.set(e.epoch, { epoch: e.epoch, loss: e.loss, val_loss: e.val_loss, val_accuracy: e.val_accuracy });
      draw(e, e.epoch >= e.epochs);
    },
    seed(rows) {
      for (const r of rows) history.set(r.epoch, r);
    },
  };
}
