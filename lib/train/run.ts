/**
 * `train(request)`: the direction MLP trained epoch by epoch as a recorded operation of type
 * `training`, with checkpoints through the checkpoint module's progress bridge (every N
 * epochs, every M minutes, on cancel), ending with a model folder (lib/train/model-folder.ts).
 *
 * A checkpoint holds everything the rest of the run depends on: state.json (epoch, the RNG's
 * words, the metric history, the normalisation, the early-stopping best, the request) and
 * artifacts weights.bin + topology.json, optimizer.bin + optimizer.json (Adam's moments and
 * step, or SGD's velocities) and, with early stopping, best-weights.bin; the service records
 * a sha256 for each. `resumeTraining` (or `stratlab operations resume ID`, or the notebook's
 * `train(..., { resume: true })`) continues from it in any process and ends with the weights
 * and loss history of an uninterrupted run, bit for bit (test/train/resume-training.test.ts).
 *
 * Requests and results are plain JSON, so a server can run them in a worker process
 * (`train(request)`, `resumeTraining(id)`); importing this module registers the `training`
 * resumer. tfjs is loaded on first use, not on import.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { CheckpointPolicy, OperationRegistry, registerResumer, type Artifacts, type CancellationToken, type CheckpointPolicyConfig, type OperationContext, type OperationRecord, type ProgressBridge, type ProgressEvent, type ResumeContext } from "../checkpoint";
import type { Bars } from "../data/bars";
import { parseBarsCsv } from "../data/csv";
import { CheckpointError, DataError, RunError, UsageError } from "../errors";
import { sha256 } from "../io/atomic";
import { DEFAULT_DATA } from "../paths";
import { Rng } from "../random/rng";
import { directionDataset, featureSpec, FEATURE_NAMES, type DirectionDataset, type Normalisation } from "./features";
import * as mlp from "./mlp";
import type { MlpTrainer, OptimizerConfig, OptimizerState, Topology } from "./mlp";
import { tfReady } from "./tf";
import { DEFAULT_MODEL_DIR, float32Bytes, float32FromBytes, writeModelFolder, type ModelManifest } from "./model-folder";

export { DEFAULT_MODEL_DIR };

export const TRAINING_STATE_FORMAT = "stratlab-training-state";
export const DEFAULT_CHECKPOINT_EVERY_EPOCHS = 10;
/** The state of a training's `final` checkpoint: { format, version, request, result }. */
export const TRAINING_RESULT_FORMAT = "stratlab-training-result";

export interface TrainRequest {
  /** OHLCV CSV (default data/default_5m.csv). */
  data?: string;
  epochs?: number;
  /** Hidden layer widths (default [32, 16]). */
  hidden?: number[];
  optimizer?: "adam" | "sgd";
  learningRate?: number;
  /** SGD's momentum (default 0.9). */
  momentum?: number;
  batchSize?: number;
  /** The label is the sign of the next `horizon`-bar return (default 1). */
  horizon?: number;
  /** Seeds the initial weights, the batch order and the dropout masks. */
  seed?: number;
  /** Dropout rate after each hidden layer (default 0: none). */
  dropout?: number;
  /** Early stopping: stop after this many epochs without a lower validation loss, keep the best weights. */
  patience?: number;
  trainFraction?: number;
  valFraction?: number;
  /** Default: every 10 epochs. */
  checkpoint?: CheckpointPolicyConfig;
  /** Model folder (default models/default). */
  out?: string;
}

/** The request made exact: recorded as the operation's request and in every checkpoint. */
export interface TrainSpec {
  model: "mlp-direction";
  data: { path: string; sha256: string; bars: number };
  epochs: number;
  hidden: number[];
  optimizer: OptimizerConfig;
  batchSize: number;
  horizon: number;
  seed: number;
  dropout: number;
  patience: number | null;
  trainFraction: number;
  valFraction: number;
  checkpoint: CheckpointPolicyConfig;
  out: string;
}

export interface EpochStats {
  epoch: number;
  /** Mean training loss over the epoch's batches (sigmoid cross-entropy, with dropout). */
  loss: number;
  val_loss: number;
  val_accuracy: number;
}

export interface TrainingState {
  format: typeof TRAINING_STATE_FORMAT;
  version: 2;
  /** Epochs done; a resume starts the next one. */
  epoch: number;
  /** The training RNG's words (lib/random/rng.ts): batch order and dropout masks continue from here. */
  rngState: number[];
  history: EpochStats[];
  normalisation: Normalisation;
  /** Early stopping: the epoch with the lowest validation loss so far (its weights: best-weights.bin). */
  best: { epoch: number; val_loss: number } | null;
  stoppedEarly: boolean;
  request: TrainSpec;
}

/** The result of a finished training: what `stratlab train --json` prints. */
export interface TrainDocument {
  status: "completed";
  operation_id: string;
  /** The model folder. */
  model: string;
  weights_sha256: string;
  /** Epochs trained. */
  epoch: number;
  epochs: number;
  stopped_early: boolean;
  metrics: ModelManifest["metrics"];
  history: EpochStats[];
  resumed_from?: string;
}

export interface EpochEvent extends EpochStats {
  operationId: string;
  epochs: number;
  elapsedMs: number;
  /** Epochs per second in this process, and the remaining time at that rate. */
  epochsPerSecond: number;
  etaMs: number;
}

export interface TrainOptions {
  root?: string;
  registry?: OperationRegistry;
  token?: CancellationToken;
  signals?: boolean;
  onProgress?: (e: ProgressEvent) => void;
  /** After every epoch (losses, ETA): progress bars and live plots. */
  onEpoch?: (e: EpochEvent) => void;
  /** Cancel once this many epochs are done (demos, tests). */
  stopAfterEpochs?: number;
  /** Keep periodic and cancellation checkpoints after success (default false). */
  keepCheckpoints?: boolean;
  /** `train` only: continue the newest cancelled or failed training of the same request, if any. */
  resume?: boolean;
}

export interface TrainOutcome {
  operation: OperationRecord;
  result: TrainDocument;
  resumedFrom?: OperationRecord;
}

/** Checkpoint artifacts and their names. */
const WEIGHTS = "weights.bin";
const TOPOLOGY = "topology.json";
const OPTIMIZER = "optimizer.bin";
const OPTIMIZER_META = "optimizer.json";
const BEST_WEIGHTS = "best-weights.bin";

export async function train(request: TrainRequest = {}, opts: TrainOptions = {}): Promise<TrainOutcome> {
  const { spec, bars } = prepareTraining(request);
  const registry = registryOf(opts);
  if (opts.resume === true) {
    const previous = findResumableTraining(spec, { registry });
    if (previous !== undefined) return resumeTraining(previous.id, { ...opts, registry });
  }
  const data = directionDataset(bars, spec);
  await tfReady();
  const { operation, result } = await registry.run({ type: "training", request: spec, ...runOptions(opts) }, (ctx) => {
    const rng = Rng.derive(spec.seed, "train");
    const topo = mlp.mlpTopology(FEATURE_NAMES.length, spec.hidden);
    const weights = mlp.initialWeights(topo, rng);
    const state: TrainingState = { format: TRAINING_STATE_FORMAT, version: 2, epoch: 0, rngState: rng.words(), history: [], normalisation: data.normalisation, best: null, stoppedEarly: false, request: spec };
    const trainer = new mlp.MlpTrainer(topo, weights, spec.optimizer, mlp.initialOptimizerState(topo, spec.optimizer), data, spec.dropout);
    return loop(ctx, bars.t, data, state, trainer, undefined, opts);
  });
  return { operation, result };
}

/** Continues training `id` from its latest checkpoint (the data file must be unchanged). */
export async function resumeTraining(id: string, opts: TrainOptions = {}): Promise<TrainOutcome> {
  const registry = registryOf(opts);
  const op = registry.get(id);
  if (op.type !== "training") throw new UsageError(`operation ${id} is a ${op.type} operation, not a training; resume it with: stratlab operations resume ${id}`);
  await tfReady();
  const r = await registry.resume<TrainDocument>(id, (ctx) => continueTraining(ctx, opts), runOptions(opts));
  return { operation: r.operation, result: r.result, resumedFrom: r.resumedFrom };
}

/**
 * The newest training of the same request (same data by content, same settings) that can be
 * continued: cancelled or failed, with a checkpoint, not continued by another operation.
 */
export function findResumableTraining(spec: TrainSpec, opts: { root?: string; registry?: OperationRegistry } = {}): OperationRecord | undefined {
  const registry = registryOf(opts);
  const key = JSON.stringify(spec);
  return registry
    .list({ type: "training" })
    .filter((o) => (o.status === "cancelled" || o.status === "failed") && o.resumedBy === undefined && JSON.stringify(o.request) === key && registry.checkpoints.latest(o.id) !== undefined)
    .pop();
}

export function prepareTraining(req: TrainRequest): { spec: TrainSpec; bars: Bars } {
  if (typeof req !== "object" || req === null) throw new UsageError("a training request must be an object");
  const int = (v: number | undefined, d: number, what: string, min: number, max: number) => {
    const x = v ?? d;
    if (!Number.isInteger(x) || x < min || x > max) throw new UsageError(`${what} ${x} must be a whole number from ${min} to ${max}`);
    return x;
  };
  const real = (v: number | undefined, d: number, what: string, ok: (x: number) => boolean, range: string) => {
    const x = v ?? d;
    if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) throw new UsageError(`${what} ${x} must be ${range}`);
    return x;
  };
  const epochs = int(req.epochs, 20, "epochs", 1, 1_000_000);
  const batchSize = int(req.batchSize, 256, "batch size", 1, 1_000_000);
  const horizon = int(req.horizon, 1, "horizon", 1, 100_000);
  const seed = int(req.seed, 1, "seed", 0, 2 ** 32 - 1);
  const hidden = req.hidden ?? [32, 16];
  if (!Array.isArray(hidden) || hidden.length > 8) throw new UsageError(`hidden layers ${JSON.stringify(hidden)} must be a list of at most 8 widths, e.g. 32,16`);
  hidden.forEach((h) => int(h, 0, "hidden layer width", 1, 4096));
  const kind = req.optimizer ?? "adam";
  if (kind !== "adam" && kind !== "sgd") throw new UsageError(`optimizer ${JSON.stringify(kind)} must be adam or sgd`);
  const learningRate = real(req.learningRate, kind === "adam" ? 0.001 : 0.01, "learning rate", (x) => x > 0 && x <= 10, "a number in (0, 10]");
  const optimizer: OptimizerConfig =
    kind === "adam" ? { kind, learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } : { kind, learningRate, momentum: real(req.momentum, 0.9, "momentum", (x) => x >= 0 && x < 1, "in [0, 1)") };
  if (kind === "adam" && req.momentum !== undefined) throw new UsageError("momentum applies to --optimizer sgd only");
  const dropout = real(req.dropout, 0, "dropout", (x) => x >= 0 && x < 1, "in [0, 1)");
  const patience = req.patience === undefined || req.patience === null ? null : int(req.patience, 0, "patience", 1, 1_000_000);
  const trainFraction = real(req.trainFraction, 0.7, "train fraction", (x) => x > 0 && x < 1, "in (0, 1)");
  const valFraction = real(req.valFraction, 0.15, "validation fraction", (x) => x > 0 && trainFraction + x < 1, `in (0, ${1 - trainFraction}) (the test split gets the rest)`);
  const checkpoint = new CheckpointPolicy(req.checkpoint ?? { everyUnits: DEFAULT_CHECKPOINT_EVERY_EPOCHS }).config;
  // The policy travels in every checkpoint's state.json, which holds finite numbers only.
  if (!Number.isFinite(checkpoint.everyMinutes ?? 0) || (checkpoint.everyMinutes ?? 0) > 1_000_000 || (checkpoint.everyUnits ?? 0) > 1_000_000) throw new UsageError(`checkpoint policy ${JSON.stringify(req.checkpoint)} must be at most 1,000,000 epochs or minutes`);
  if (req.out !== undefined && (typeof req.out !== "string" || req.out.trim() === "")) throw new UsageError(`out ${JSON.stringify(req.out)} must be a folder path`);
  const out = resolve(req.out ?? DEFAULT_MODEL_DIR);
  checkModelOut(out);
  const path = resolve(req.data ?? DEFAULT_DATA);
  const { bars, hash } = readBars(path);
  return {
    spec: { model: "mlp-direction", data: { path, sha256: hash, bars: bars.length }, epochs, hidden: [...hidden], optimizer, batchSize, horizon, seed, dropout, patience, trainFraction, valFraction, checkpoint, out },
    bars,
  };
}

async function continueTraining(ctx: ResumeContext, opts: TrainOptions): Promise<TrainDocument> {
  await tfReady();
  const state = structuredClone(ctx.checkpoint.state as TrainingState);
  const ckId = ctx.checkpoint.meta.id;
  if (state?.format !== TRAINING_STATE_FORMAT || state.version !== 2) throw new CheckpointError(`checkpoint ${ckId}: its state is not a training state of this stratlab version; start a new training`);
  const spec = state.request;
  const { bars, hash } = readBars(spec.data.path);
  if (hash !== spec.data.sha256) throw new RunError(`cannot resume training ${ctx.original.id}: ${spec.data.path} changed since the training started (sha256 now ${hash.slice(0, 12)}…, recorded ${spec.data.sha256.slice(0, 12)}…); restore the original file to resume`);
  const data = directionDataset(bars, spec);
  const a = ctx.checkpoint.artifacts;
  const need = (name: string) => {
    const b = a[name];
    if (b === undefined) throw new CheckpointError(`checkpoint ${ckId} has no artifact ${name}; it cannot be resumed`);
    return b;
  };
  const topo = JSON.parse(need(TOPOLOGY).toString("utf8")) as Topology;
  const optMeta = JSON.parse(need(OPTIMIZER_META).toString("utf8")) as { kind: OptimizerConfig["kind"]; step: number };
  const optState: OptimizerState = { kind: optMeta.kind, step: optMeta.step, slots: float32FromBytes(need(OPTIMIZER)) };
  const trainer = new mlp.MlpTrainer(topo, float32FromBytes(need(WEIGHTS)), spec.optimizer, optState, data, spec.dropout);
  const bestWeights = state.best !== null ? float32FromBytes(need(BEST_WEIGHTS)) : undefined;
  return loop(ctx, bars.t, data, state, trainer, bestWeights, opts, ctx.original.id);
}

async function loop(ctx: OperationContext, times: Float64Array, data: DirectionDataset, state: TrainingState, trainer: MlpTrainer, best: Float32Array | undefined, opts: TrainOptions, resumedFrom?: string): Promise<TrainDocument> {
  const spec = state.request;
  const startEpoch = state.epoch;
  // An epoch is a coarse unit: the event loop runs after every one (not at most every 50 ms,
  // as for bars), so a Ctrl-C or a notebook interrupt stops a fast training at the next epoch.
  const bridge: ProgressBridge = ctx.bridge({ policy: spec.checkpoint, total: spec.epochs, startUnit: startEpoch, progressEveryMs: 0, yieldEveryMs: 0, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const rng = Rng.fromWords(state.rngState);
  let bestWeights = best;
  const buildState = (): TrainingState => ({ ...state, rngState: rng.words(), history: state.history.slice() });
  const buildArtifacts = (): Artifacts => checkpointArtifacts(trainer, bestWeights);
  const started = Date.now();
  try {
    bridge.updateState(state.epoch, buildState, buildArtifacts);
    while (state.epoch < spec.epochs && !state.stoppedEarly) {
      const loss = trainer.epoch(rng, spec.batchSize);
      const val = trainer.score(data.val);
      state.epoch += 1;
      if (!Number.isFinite(loss) || !Number.isFinite(val.loss)) throw new RunError(`training ${ctx.operation.id} diverged at epoch ${state.epoch} (loss ${loss}); lower the learning rate (--lr)`);
      const stats: EpochStats = { epoch: state.epoch, loss, val_loss: val.loss, val_accuracy: val.accuracy };
      state.history.push(stats);
      if (spec.patience !== null) {
        if (state.best === null || val.loss < state.best.val_loss) {
          state.best = { epoch: state.epoch, val_loss: val.loss };
          bestWeights = trainer.weights();
        } else if (state.epoch - state.best.epoch >= spec.patience) state.stoppedEarly = true;
      }
      const elapsedMs = Date.now() - started;
      const epochsPerSecond = (state.epoch - startEpoch) / Math.max(1e-3, elapsedMs / 1000);
      opts.onEpoch?.({ ...stats, operationId: ctx.operation.id, epochs: spec.epochs, elapsedMs, epochsPerSecond, etaMs: ((spec.epochs - state.epoch) / epochsPerSecond) * 1000 });
      if (state.epoch >= spec.epochs || state.stoppedEarly) break;
      if (state.epoch === opts.stopAfterEpochs) ctx.token.cancel(`stopped after ${state.epoch} epochs as asked`);
      bridge.updateState(state.epoch, buildState, buildArtifacts);
      await bridge.yieldToEventLoop();
    }
    const finalWeights = bestWeights ?? trainer.weights();
    if (bestWeights !== undefined) trainer.setWeights(bestWeights);
    const val = trainer.score(data.val);
    const test = trainer.score(data.test);
    const last = state.history[state.history.length - 1]!;
    const weightsEpoch = state.best?.epoch ?? state.epoch;
    const testFirstBar = data.firstBar + data.test.from;
    const manifest = writeModelFolder(
      spec.out,
      { topology: trainer.topo, weights: finalWeights, normalisation: state.normalisation, features: featureSpec() },
      {
        created_at: new Date().toISOString(),
        operation_id: ctx.operation.id,
        data: spec.data,
        seed: spec.seed,
        epochs: state.epoch,
        weights_epoch: weightsEpoch,
        horizon: spec.horizon,
        split: { train_fraction: spec.trainFraction, val_fraction: spec.valFraction, test_first_bar: testFirstBar, test_first_time: new Date(times[testFirstBar]!).toISOString() },
        hidden: spec.hidden,
        optimizer: spec.optimizer.kind,
        metrics: { train_loss: state.history[weightsEpoch - 1]?.loss ?? last.loss, val_loss: val.loss, val_accuracy: val.accuracy, test_loss: test.loss, test_accuracy: test.accuracy },
      },
    );
    const doc: TrainDocument = {
      status: "completed",
      operation_id: ctx.operation.id,
      model: spec.out,
      weights_sha256: manifest.weights_sha256,
      epoch: state.epoch,
      epochs: spec.epochs,
      stopped_early: state.stoppedEarly,
      metrics: manifest.metrics,
      history: state.history,
      ...(resumedFrom !== undefined ? { resumed_from: resumedFrom } : {}),
    };
    // The result stays as a `final` checkpoint, as a backtest's does: what `operations show`
    // and the service report for a completed training (the model folder holds the weights).
    bridge.saveFinal({ format: TRAINING_RESULT_FORMAT, version: 1, request: spec, result: JSON.parse(JSON.stringify(doc)) as TrainDocument }, undefined, state.epoch);
    return doc;
  } finally {
    trainer.dispose();
  }
}

function checkpointArtifacts(trainer: MlpTrainer, best: Float32Array | undefined): Artifacts {
  const opt = trainer.optimizerState();
  return {
    [WEIGHTS]: float32Bytes(trainer.weights()),
    [TOPOLOGY]: JSON.stringify(trainer.topo, null, 2) + "\n",
    [OPTIMIZER]: float32Bytes(opt.slots),
    [OPTIMIZER_META]: JSON.stringify({ kind: opt.kind, step: opt.step, layout: opt.kind === "adam" ? "m then v, each in topology tensor order" : "velocity in topology tensor order", config: trainer.opt }, null, 2) + "\n",
    ...(best !== undefined ? { [BEST_WEIGHTS]: float32Bytes(best) } : {}),
  };
}

/**
 * The model folder must be new, empty or a model folder (it is overwritten): training never
 * writes its files into a folder of something else (`--out .`), and a path that cannot be
 * a folder fails now rather than after the last epoch.
 */
function checkModelOut(out: string): void {
  if (/[\u0000-\u001f\u007f]/.test(out)) throw new UsageError(`--out ${JSON.stringify(out)} contains control characters; pass a plain folder path`);
  let entries: string[];
  try {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; the model is a folder: pass a new folder or an existing model folder`);
    entries = readdirSync(out);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    throw new UsageError(`--out ${out} cannot be used as the model folder (${code ?? e}); pass a new folder`);
  }
  if (entries.length > 0 && !entries.includes("manifest.json")) throw new UsageError(`--out ${out} is a folder that is not a model folder (no manifest.json, ${entries.length} entries); pass a new folder, an empty one or an existing model folder`);
}

function runOptions(opts: TrainOptions) {
  return {
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    ...(opts.signals !== undefined ? { signals: opts.signals } : {}),
    ...(opts.keepCheckpoints !== undefined ? { keepCheckpoints: opts.keepCheckpoints } : {}),
  };
}

function registryOf(opts: { root?: string; registry?: OperationRegistry }): OperationRegistry {
  return opts.registry ?? new OperationRegistry(opts.root !== undefined ? { root: opts.root } : {});
}

function readBars(path: string): { bars: Bars; hash: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataError(`${path}: cannot read the bars file (${(e as NodeJS.ErrnoException).code ?? e}); pass an existing CSV (stratlab data generate writes one)`);
  }
  return { bars: parseBarsCsv(bytes, path), hash: sha256(bytes) };
}

// `stratlab operations resume ID` for training operations (once this module is imported).
registerResumer("training", (ctx) => continueTraining(ctx, {}));
