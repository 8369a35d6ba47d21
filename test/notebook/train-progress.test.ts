/**
 * The live training view: in a kernel, one display entry redrawn in place with the loss and
 * validation-loss curves (plotly.js carried by the first drawing only), the last epoch always
 * drawn; outside a kernel, a text line per tenth of the epochs.
 */
import { afterEach, expect, test, vi } from "vitest";
import { trainingProgress } from "../../lib/notebook/train-progress";
import type { EpochEvent } from "../../lib/train";

const event = (epoch: number, epochs: number): EpochEvent => ({ epoch, epochs, loss: 0.7 - epoch / 1000, val_loss: 0.69 + epoch / 1000, val_accuracy: 0.5, operationId: "tr-x", elapsedMs: epoch * 10, epochsPerSecond: 100, etaMs: (epochs - epoch) * 10 });

afterEach(() => {
  delete (globalThis as { __tslab__?: unknown }).__tslab__;
  vi.restoreAllMocks();
});

test("in a kernel: one display redrawn in place, curves of every epoch, library once", () => {
  const html: string[] = [];
  const entries: number[] = [];
  const display = { html: (s: string) => html.push(s), text: () => {} };
  (globalThis as { __tslab__?: unknown }).__tslab__ = { require: () => ({ display, newDisplay: () => (entries.push(1), display) }) };
  const view = trainingProgress("fit");
  view.seed([{ epoch: 1, loss: 0.8, val_loss: 0.79, val_accuracy: 0.5 }]);
  for (let e = 2; e <= 40; e++) view.onEpoch(event(e, 40));
  expect(entries).toHaveLength(1);
  expect(html.length).toBeGreaterThanOrEqual(2); // the first epoch and the last at least (redraws are rate-limited)
  expect(html[0]!.length).toBeGreaterThan(1_000_000); // plotly.js inlined once
  const last = html[html.length - 1]!;
  expect(last.length).toBeLessThan(20_000);
  expect(last).toContain("fit: epoch 40/40");
  const fig = JSON.parse(/var fig = (\{.*?\});\n/s.exec(last)![1]!) as { data: { name: string; x: number[]; y: number[] }[] };
  expect(fig.data.map((t) => t.name)).toEqual(["loss (train)", "validation loss"]);
  expect(fig.data[0]!.x).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(fig.data[1]!.y[39]).toBeCloseTo(0.73, 10);
});

test("outside a kernel: a line for the first epoch and per tenth of the epochs", () => {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const view = trainingProgress("fit");
  for (let e = 1; e <= 20; e++) view.onEpoch(event(e, 20));
  expect(log.mock.calls.length).toBe(11); // epoch 1, then one per tenth
  expect(log.mock.calls[10]![0]).toMatch(/^fit: epoch 20\/20  loss 0\.6800  val loss 0\.7100  ETA/);
});
