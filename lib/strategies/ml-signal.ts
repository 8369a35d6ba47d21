import { DEFAULT_MODEL_DIR } from "../train/model-folder";
import { cachedPredictions } from "../train/load";
import type { Strategy } from "./types";

/**
 * Trades a trained direction model (stratlab train): long from the bar whose predicted
 * P(next h-bar return > 0) rises above `entry` until the bar where it falls below `exit`
 * (hysteresis); 0 during the features' warm-up.
 *
 * The model folder is read and its predictions for the bars computed once per process (per
 * worker) and model version (lib/train/load.ts cachedPredictions, plain arithmetic, no tfjs),
 * so an evaluation costs one pass over cached probabilities. Unlike the other strategies this
 * one reads files (the model folder): a missing or corrupt folder is a one-line ModelError.
 */
export const mlSignal: Strategy = {
  name: "ml_signal",
  description: "Long while a trained direction model (stratlab train) predicts up: enter above the entry probability, exit below the exit one.",
  params: [
    { name: "model", type: "choice", choices: ["default"], default: "default", anyString: true, description: `model folder written by stratlab train; "default" is ${DEFAULT_MODEL_DIR} (what optimisation uses)` },
    { name: "entry", type: "float", low: 0.5, high: 0.8, step: 0.005, default: 0.55, description: "go long when P(up) rises above this" },
    { name: "exit", type: "float", low: 0.2, high: 0.5, step: 0.005, default: 0.5, description: "go flat when P(up) falls below this" },
  ],
  constraints: [],
  fillsEveryBar: true,
  signal({ bars }, p, w) {
    const model = p.model === "default" ? DEFAULT_MODEL_DIR : (p.model as string);
    const prob = cachedPredictions(model, bars);
    const entry = p.entry as number;
    const exit = p.exit as number;
    const n = bars.length;
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const q = prob[i]!;
      if (q !== q) pos = 0; // NaN: warm-up
      else if (pos === 0 && q > entry) pos = 1;
      else if (pos === 1 && q < exit) pos = 0;
      w[i] = pos;
    }
  },
};
