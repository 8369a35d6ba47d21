/**
 * Logistic regression on tfjs (pure-JS CPU backend): p = sigmoid(x . w + b), trained by plain
 * mini-batch SGD on the mean sigmoid cross-entropy. SGD keeps no optimiser state besides the
 * step count, so weights + step + the shuffling RNG's state are a complete checkpoint; tfjs' CPU
 * kernels are deterministic, so a resumed run computes the same float32 weights bit for bit.
 */
// The pure-JS @tensorflow/tfjs 3.x (CPU backend, gradients, optimisers): package.json's
// "overrides" installs it under the name @tensorflow/tfjs-node (danfojs-node asks for that name).
import * as tf from "@tensorflow/tfjs-node";
import type { DirectionDataset } from "./features";
import type { Rng } from "../random/rng";

// PROD silences tfjs' "install the node backend" notice (it would land in --json output) and its debug checks.
tf.env().set("PROD", true);

export interface LogisticWeights {
  /** One per feature; float32 values held as plain numbers (exact). */
  weights: number[];
  bias: number;
}

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
}

let ready: Promise<void> | undefined;

/** Selects the CPU backend once (tfjs' backend initialisation is asynchronous). */
export function tfReady(): Promise<void> {
  return (ready ??= tf.setBackend("cpu").then((ok) => {
    if (!ok) throw new Error("tfjs: the cpu backend could not be initialised");
  }));
}

export function zeroWeights(features: number): LogisticWeights {
  return { weights: new Array<number>(features).fill(0), bias: 0 };
}

/**
 * One epoch: a permutation of the training rows from `rng`, then one SGD step per batch.
 * Returns the new weights and the number of steps taken.
 */
export function trainEpoch(data: DirectionDataset, start: LogisticWeights, rng: Rng, opts: { batchSize: number; learningRate: number }): { weights: LogisticWeights; steps: number } {
  const F = data.features.length;
  const order = Int32Array.from({ length: data.trainRows }, (_, i) => i);
  rng.shuffle(order);
  const w = tf.variable(tf.tensor2d(start.weights, [F, 1], "float32"));
  const b = tf.variable(tf.scalar(start.bias, "float32"));
  const optimizer = tf.train.sgd(opts.learningRate);
  let steps = 0;
  try {
    for (let from = 0; from < order.length; from += opts.batchSize) {
      const rows = order.subarray(from, Math.min(order.length, from + opts.batchSize));
      const xb = new Float32Array(rows.length * F);
      const yb = new Float32Array(rows.length);
      rows.forEach((r, k) => {
        xb.set(data.x.subarray(r * F, r * F + F), k * F);
        yb[k] = data.y[r];
      });
      tf.tidy(() => {
        const x = tf.tensor2d(xb, [rows.length, F]);
        const y = tf.tensor2d(yb, [rows.length, 1]);
        optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, tf.add(tf.matMul(x, w), b)) as tf.Scalar);
      });
      steps++;
    }
    return { weights: { weights: Array.from(w.dataSync()), bias: b.dataSync()[0] }, steps };
  } finally {
    w.dispose();
    b.dispose();
    optimizer.dispose();
  }
}

/** Mean cross-entropy and accuracy (p > 0.5 means "up") over rows [from, to). */
export function evaluateRows(data: DirectionDataset, m: LogisticWeights, from: number, to: number): { loss: number; accuracy: number } {
  const F = data.features.length;
  let loss = 0;
  let hits = 0;
  for (let r = from; r < to; r++) {
    let z = m.bias;
    for (let f = 0; f < F; f++) z += m.weights[f] * data.x[r * F + f];
    const p = 1 / (1 + Math.exp(-z));
    const y = data.y[r];
    loss -= y * Math.log(Math.max(p, 1e-12)) + (1 - y) * Math.log(Math.max(1 - p, 1e-12));
    if ((p > 0.5 ? 1 : 0) === y) hits++;
  }
  const n = Math.max(1, to - from);
  return { loss: loss / n, accuracy: hits / n };
}

export function epochStats(data: DirectionDataset, m: LogisticWeights, epoch: number): EpochStats {
  const tr = evaluateRows(data, m, 0, data.trainRows);
  const te = evaluateRows(data, m, data.trainRows, data.rows);
  return { epoch, trainLoss: tr.loss, trainAccuracy: tr.accuracy, testLoss: te.loss, testAccuracy: te.accuracy };
}
