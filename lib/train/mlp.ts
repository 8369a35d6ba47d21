/**
 * The direction model: a multilayer perceptron (dense + ReLU hidden layers, one sigmoid
 * output) trained on tfjs' CPU backend with mini-batch Adam or SGD with momentum.
 *
 * Everything that decides the result is ours and on the checkpoint: the initial weights
 * (Glorot-uniform from the project's seeded RNG), the batch order (a Fisher-Yates shuffle
 * from that RNG), the dropout masks (drawn from the same RNG) and the optimiser's state (the
 * update rules below, on tf variables, with their moments/velocities and step). tfjs' own
 * optimisers are not used: tf.train.adam keeps its bias-correction powers as running
 * products (beta^t accumulated by t float32 multiplications) and its setWeights rebuilds them
 * with one pow(), which rounds differently, so a resumed run would drift from an
 * uninterrupted one in the last bits. Here the corrections are computed from the step count
 * alone, so restoring (weights, moments, step, RNG words) continues bit for bit.
 */
import type { Rng } from "../random/rng";
import type { DirectionDataset, Range } from "./features";
import type * as Tf from "@tensorflow/tfjs";
import { tfjs } from "./tf";

/** One tensor inside the flat weights buffer (offset and length in float32 elements). */
export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** topology.json: the layers and where each tensor lies in weights.bin (float32, little-endian). */
export interface Topology {
  format: "stratlab-mlp";
  version: 1;
  inputs: number;
  hidden: number[];
  activation: "relu";
  output: "sigmoid";
  tensors: TensorEntry[];
  /** float32 elements in all. */
  size: number;
}

export type OptimizerConfig = { kind: "adam"; learningRate: number; beta1: number; beta2: number; epsilon: number } | { kind: "sgd"; learningRate: number; momentum: number };

/** Adam: m then v of every tensor, in `Topology.tensors` order; SGD: the velocity of every tensor. */
export interface OptimizerState {
  kind: OptimizerConfig["kind"];
  /** Updates applied so far (Adam's t). */
  step: number;
  slots: Float32Array;
}

export function mlpTopology(inputs: number, hidden: readonly number[]): Topology {
  const tensors: TensorEntry[] = [];
  let offset = 0;
  const add = (name: string, shape: number[]) => {
    const length = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, shape, offset, length });
    offset += length;
  };
  const widths = [inputs, ...hidden, 1];
  for (let l = 0; l + 1 < widths.length; l++) {
    add(`dense_${l}/kernel`, [widths[l]!, widths[l + 1]!]);
    add(`dense_${l}/bias`, [widths[l + 1]!]);
  }
  return { format: "stratlab-mlp", version: 1, inputs, hidden: [...hidden], activation: "relu", output: "sigmoid", tensors, size: offset };
}

/** Glorot-uniform kernels (limit sqrt(6 / (fan_in + fan_out)), Glorot & Bengio 2010), zero biases. */
export function initialWeights(topo: Topology, rng: Rng): Float32Array {
  const w = new Float32Array(topo.size);
  for (const t of topo.tensors) {
    if (t.shape.length !== 2) continue;
    const limit = Math.sqrt(6 / (t.shape[0]! + t.shape[1]!));
    for (let k = 0; k < t.length; k++) w[t.offset + k] = rng.uniform(-limit, limit);
  }
  return w;
}

export function initialOptimizerState(topo: Topology, cfg: OptimizerConfig): OptimizerState {
  return { kind: cfg.kind, step: 0, slots: new Float32Array(cfg.kind === "adam" ? 2 * topo.size : topo.size) };
}

/** Mean sigmoid cross-entropy and accuracy (p > 0.5 means up) of logits against labels. */
export function scoreLogits(logits: Float32Array, y: Float32Array, yFrom: number): { loss: number; accuracy: number } {
  let loss = 0;
  let hits = 0;
  for (let r = 0; r < logits.length; r++) {
    const z = logits[r]!;
    const t = y[yFrom + r]!;
    // max(z, 0) - z t + log(1 + e^-|z|): the cross-entropy of sigmoid(z), stable for large |z|.
    loss += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
    if ((z > 0 ? 1 : 0) === t) hits++;
  }
  const n = Math.max(1, logits.length);
  return { loss: loss / n, accuracy: hits / n };
}

/** Holds the network and optimiser as tf variables over one data set; dispose() when done. */
export class MlpTrainer {
  private readonly vars: Tf.Variable[];
  private readonly slots: Tf.Variable[];
  private step: number;
  private readonly xTrain: Tf.Tensor2D;
  private readonly yTrain: Tf.Tensor2D;
  private readonly F: number;
  private readonly tf = tfjs();

  constructor(
    readonly topo: Topology,
    weights: Float32Array,
    readonly opt: OptimizerConfig,
    state: OptimizerState,
    private readonly data: DirectionDataset,
    private readonly dropout: number,
  ) {
    const tf = this.tf;
    if (state.kind !== opt.kind) throw new Error(`optimiser state is ${state.kind}, config ${opt.kind}`);
    this.F = data.features.length;
    this.vars = topo.tensors.map((t) => tf.variable(tf.tensor(weights.subarray(t.offset, t.offset + t.length), t.shape, "float32")));
    const copies = opt.kind === "adam" ? 2 : 1;
    this.slots = [];
    for (let c = 0; c < copies; c++) {
      for (const t of topo.tensors) {
        const o = c * topo.size + t.offset;
        this.slots.push(tf.variable(tf.tensor(state.slots.subarray(o, o + t.length), t.shape, "float32"), false));
      }
    }
    this.step = state.step;
    const { from, to } = data.train;
    this.xTrain = tf.tensor2d(data.x.subarray(from * this.F, to * this.F), [to - from, this.F]);
    this.yTrain = tf.tensor2d(data.y.subarray(from, to), [to - from, 1]);
  }

  /**
   * One epoch: the training rows in an order shuffled by `rng`, one update per batch (the
   * last batch may be short), dropout masks drawn from `rng` after each batch's order.
   * Returns the mean training loss over the epoch's batches (weighted by batch size).
   */
  epoch(rng: Rng, batchSize: number): number {
    const tf = this.tf;
    const rows = this.data.train.to - this.data.train.from;
    const order = new Int32Array(rows);
    for (let i = 0; i < rows; i++) order[i] = i;
    rng.shuffle(order);
    let lossSum = 0;
    for (let from = 0; from < rows; from += batchSize) {
      const idx = order.subarray(from, Math.min(rows, from + batchSize));
      const masks = this.dropout > 0 ? this.topo.hidden.map((units) => dropoutMask(rng, idx.length, units, this.dropout)) : undefined;
      const loss = tf.tidy(() => {
        const ix = tf.tensor1d(idx, "int32");
        const xb = tf.gather(this.xTrain, ix);
        const yb = tf.gather(this.yTrain, ix);
        const maskTensors = masks?.map((m, l) => tf.tensor2d(m, [idx.length, this.topo.hidden[l]!]));
        const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(yb, this.forward(xb, maskTensors)) as Tf.Scalar, this.vars);
        this.apply(this.vars.map((v) => grads[v.name]!));
        return value.dataSync()[0]!;
      });
      lossSum += loss * idx.length;
    }
    return lossSum / Math.max(1, rows);
  }

  /** Logits of rows [from, to) without dropout. */
  logits(range: Range): Float32Array {
    const tf = this.tf;
    return tf.tidy(() => {
      const x = tf.tensor2d(this.data.x.subarray(range.from * this.F, range.to * this.F), [range.to - range.from, this.F]);
      return this.forward(x).dataSync() as Float32Array;
    });
  }

  score(range: Range): { loss: number; accuracy: number } {
    return scoreLogits(this.logits(range), this.data.y, range.from);
  }

  /** A copy of the weights, in Topology.tensors order. */
  weights(): Float32Array {
    const out = new Float32Array(this.topo.size);
    this.topo.tensors.forEach((t, i) => out.set(this.vars[i]!.dataSync() as Float32Array, t.offset));
    return out;
  }

  setWeights(w: Float32Array): void {
    const tf = this.tf;
    tf.tidy(() => this.topo.tensors.forEach((t, i) => this.vars[i]!.assign(tf.tensor(w.subarray(t.offset, t.offset + t.length), t.shape, "float32"))));
  }

  optimizerState(): OptimizerState {
    const slots = new Float32Array(this.slots.length > this.topo.tensors.length ? 2 * this.topo.size : this.topo.size);
    this.slots.forEach((s, i) => {
      const t = this.topo.tensors[i % this.topo.tensors.length]!;
      const copy = Math.floor(i / this.topo.tensors.length);
      slots.set(s.dataSync() as Float32Array, copy * this.topo.size + t.offset);
    });
    return { kind: this.opt.kind, step: this.step, slots };
  }

  dispose(): void {
    for (const v of [...this.vars, ...this.slots, this.xTrain, this.yTrain]) v.dispose();
  }

  private forward(x: Tf.Tensor2D, masks?: Tf.Tensor2D[]): Tf.Tensor2D {
    const tf = this.tf;
    let h = x;
    const layers = this.topo.hidden.length + 1;
    for (let l = 0; l < layers; l++) {
      h = tf.add(tf.matMul(h, this.vars[2 * l] as Tf.Tensor2D), this.vars[2 * l + 1]!);
      if (l < layers - 1) {
        h = tf.relu(h);
        if (masks) h = tf.mul(h, masks[l]!);
      }
    }
    return h;
  }

  /** One optimiser update from the gradients (inside the caller's tidy). */
  private apply(grads: Tf.Tensor[]): void {
    const tf = this.tf;
    this.step += 1;
    const n = this.vars.length;
    if (this.opt.kind === "sgd") {
      // v = momentum v + g; w = w - lr v (tfjs' MomentumOptimizer without Nesterov).
      const { learningRate, momentum } = this.opt;
      for (let i = 0; i < n; i++) {
        const v = tf.add(tf.mul(this.slots[i]!, momentum), grads[i]!);
        this.slots[i]!.assign(v);
        this.vars[i]!.assign(tf.sub(this.vars[i]!, tf.mul(v, learningRate)));
      }
      return;
    }
    // Adam (Kingma & Ba 2015, Algorithm 1): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    // w = w - lr m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps), with b^t from the step count.
    const { learningRate, beta1, beta2, epsilon } = this.opt;
    const c1 = learningRate / (1 - Math.pow(beta1, this.step));
    const c2 = 1 / (1 - Math.pow(beta2, this.step));
    for (let i = 0; i < n; i++) {
      const g = grads[i]!;
      const m = tf.add(tf.mul(this.slots[i]!, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(this.slots[n + i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
      this.slots[i]!.assign(m);
      this.slots[n + i]!.assign(v);
      this.vars[i]!.assign(tf.sub(this.vars[i]!, tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), epsilon))));
    }
  }
}

/** Inverted dropout: each unit kept with probability 1 - p and scaled by 1 / (1 - p). */
function dropoutMask(rng: Rng, rows: number, units: number, p: number): Float32Array {
  const m = new Float32Array(rows * units);
  const keep = 1 / (1 - p);
  for (let k = 0; k < m.length; k++) m[k] = rng.next() < p ? 0 : keep;
  return m;
}
