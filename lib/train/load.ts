/**
 * `loadModel(dir)`: a verified model folder with `predict(bars)` (P(up) per bar, plain
 * arithmetic, no tfjs), and the per-process cache ml_signal uses so that a worker reads a
 * model once and predicts once per bars.
 */
import { resolve } from "node:path";
import type { Bars } from "../data/bars";
import { modelStamp, predictBars, readModelFolder, type LoadedModelFiles, type ModelManifest } from "./model-folder";

export interface LoadedModel {
  dir: string;
  manifest: ModelManifest;
  /** P(next `horizon`-bar return > 0) per bar; NaN during the features' warm-up. */
  predict(bars: Pick<Bars, "close" | "high" | "low" | "length">): Float64Array;
  files: LoadedModelFiles;
}

export function loadModel(dir: string): LoadedModel {
  const files = readModelFolder(dir);
  return { dir: files.dir, manifest: files.manifest, files, predict: (bars) => predictBars(files, bars) };
}

const models = new Map<string, { stamp: string; model: LoadedModel; predictions: WeakMap<Float64Array, Float64Array> }>();

/**
 * Predictions of the model in `dir` for `bars`, computed once per (model folder version, bars)
 * in this process: the folder is re-read only when its manifest changes (a retrain).
 */
export function cachedPredictions(dir: string, bars: Pick<Bars, "close" | "high" | "low" | "length">): Float64Array {
  const path = resolve(dir);
  const stamp = modelStamp(path);
  let entry = models.get(path);
  if (entry === undefined || entry.stamp !== stamp) {
    entry = { stamp, model: loadModel(path), predictions: new WeakMap() };
    models.set(path, entry);
  }
  let p = entry.predictions.get(bars.close);
  if (p === undefined || p.length !== bars.length) {
    p = entry.model.predict(bars);
    entry.predictions.set(bars.close, p);
  }
  return p;
}
