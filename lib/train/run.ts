/**
 * `train(request)`: a logistic regression predicting next-bar direction, trained epoch by epoch
 * as a recorded operation of type `training`, with epoch checkpoints through the progress bridge
 * (every epoch by default) and a cancellation checkpoint on cancel. The state is the weights as
 * plain numbers, the SGD step, the shuffling RNG's state and the history, so `resumeTraining`
 * (or `stratlab operations resume ID`) ends with the weights an uninterrupted run gets, bit for
 * bit. On success the result is kept as a `final` checkpoint.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CheckpointPolicy, OperationRegistry, registerResumer, type CancellationToken, type CheckpointMeta, type CheckpointPolicyConfig, type OperationContext, type OperationRecord, type ProgressBridge, type ProgressEvent, type ResumeContext } from "../checkpoint";
import type { Bars } from "../data/bars";
import { parseBarsCsv } from "../data/csv";
import { CheckpointError, DataError, RunError, UsageError } from "../errors";
import { sha256 } from "../io/atomic";
import { DEFAULT_DATA } from "../paths";
import { directionDataset, type DirectionDataset } from "./features";
import { epochStats, tfReady, trainEpoch, zeroWeights, type EpochStats, type LogisticWeights } from "./logistic";
import { Rng } from "../random/rng";

export const TRAINING_STATE_FORMAT = "stratlab-training-state";
export const TRAINING_RESULT_FORMAT = "stratlab-training-result";

export interface TrainRequest {
  /** OHLCV CSV (default data/default_5m.csv). */
  data?: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Seeds the shuffling of training rows. */
  seed?: number;
  /** Share of rows (in time order) that train; the rest test. */
  trainFraction?: number;
  /** Default: a checkpoint after every epoch. */
  checkpoint?: CheckpointPolicyConfig;
}

/** The request made exact: recorded as the operation's request and in every checkpoint. */
export interface TrainSpec {
  model: "logistic-direction";
  data: { path: string; sha256: string; bars: number };
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  trainFraction: number;
  checkpoint: CheckpointPolicyConfig;
}

export interface TrainingState {
  format: typeof TRAINING_STATE_FORMAT;
  version: 1;
  /** Epochs done; a resume starts the next one. */
  epoch: number;
  /** SGD steps (batches) done. */
  step: number;
  /** The training RNG's state words (lib/random/rng.ts), so a resumed run draws the same batches. */
  rngState: number[];
  model: LogisticWeights;
  /** Stats after each epoch, from epoch 0 (the initial weights). */
  history: EpochStats[];
  request: TrainSpec;
}

export interface TrainResult {
  features: readonly string[];
  /** Standardisation applied to the features (training rows' mean and std). */
  mean: number[];
  std: number[];
  model: LogisticWeights;
  epochs: number;
  steps: number;
  history: EpochStats[];
}

export interface TrainOptions {
  root?: string;
  registry?: OperationRegistry;
  token?: CancellationToken;
  signals?: boolean;
  onProgress?: (e: ProgressEvent) => void;
  /** Cancel once this many epochs are done (demos, tests). */
  stopAfterEpochs?: number;
}

export interface TrainOutcome {
  operation: OperationRecord;
  result: TrainResult;
  final?: CheckpointMeta;
  resumedFrom?: OperationRecord;
  checkpoint?: CheckpointMeta;
}

export async function train(request: TrainRequest = {}, opts: TrainOptions = {}): Promise<TrainOutcome> {
  const { spec, bars } = prepareTraining(request);
  await tfReady();
  const registry = registryOf(opts);
  let final: CheckpointMeta | undefined;
  const { operation, result } = await registry.run({ type: "training", request: spec, ...runOptions(opts) }, (ctx) => {
    const data = directionDataset(bars, spec.trainFraction);
    const model = zeroWeights(data.features.length);
    const state: TrainingState = { format: TRAINING_STATE_FORMAT, version: 1, epoch: 0, step: 0, rngState: Rng.derive(spec.seed, "train").words(), model, history: [epochStats(data, model, 0)], request: spec };
    return loop(ctx, bridgeOf(ctx, spec, 0, opts), data, state, opts, (m) => (final = m));
  });
  return { operation, result, ...(final ? { final } : {}) };
}

/** Continues training `id` from its latest checkpoint (the data file must be unchanged). */
export async function resumeTraining(id: string, opts: TrainOptions = {}): Promise<TrainOutcome> {
  await tfReady();
  const registry = registryOf(opts);
  let final: CheckpointMeta | undefined;
  const r = await registry.resume<TrainResult>(id, (ctx) => continueTraining(ctx, opts, (m) => (final = m)), runOptions(opts));
  return { operation: r.operation, result: r.result, ...(final ? { final } : {}), resumedFrom: r.resumedFrom, checkpoint: r.checkpoint };
}

export function prepareTraining(req: TrainRequest): { spec: TrainSpec; bars: Bars } {
  const int = (v: number | undefined, d: number, what: string, min: number) => {
    const x = v ?? d;
    if (!Number.isInteger(x) || x < min) throw new UsageError(`${what} ${x} must be a whole number >= ${min}`);
    return x;
  };
  const epochs = int(req.epochs, 10, "epochs", 1);
  const batchSize = int(req.batchSize, 256, "batch size", 1);
  const seed = int(req.seed, 1, "seed", 0);
  const learningRate = req.learningRate ?? 0.05;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new UsageError(`learning rate ${learningRate} must be a positive number`);
  const trainFraction = req.trainFraction ?? 0.8;
  if (!(trainFraction > 0 && trainFraction < 1)) throw new UsageError(`train fraction ${trainFraction} must be between 0 and 1`);
  const checkpoint = new CheckpointPolicy(req.checkpoint ?? { everyUnits: 1 }).config;
  const path = resolve(req.data ?? DEFAULT_DATA);
  const { bars, hash } = readBars(path);
  return { spec: { model: "logistic-direction", data: { path, sha256: hash, bars: bars.length }, epochs, batchSize, learningRate, seed, trainFraction, checkpoint }, bars };
}

async function continueTraining(ctx: ResumeContext, opts: TrainOptions, onFinal: (m: CheckpointMeta) => void): Promise<TrainResult> {
  await tfReady();
  const state = ctx.checkpoint.state as TrainingState;
  if (state?.format !== TRAINING_STATE_FORMAT || state.version !== 1) throw new CheckpointError(`checkpoint ${ctx.checkpoint.meta.id}: its state is not a training state of this stratlab version`);
  const spec = state.request;
  const { bars, hash } = readBars(spec.data.path);
  if (hash !== spec.data.sha256) throw new RunError(`cannot resume training ${ctx.original.id}: ${spec.data.path} changed since the training started (sha256 now ${hash.slice(0, 12)}…, recorded ${spec.data.sha256.slice(0, 12)}…); restore the original file to resume`);
  const data = directionDataset(bars, spec.trainFraction);
  return loop(ctx, bridgeOf(ctx, spec, state.epoch, opts), data, structuredClone(state), opts, onFinal);
}

async function loop(ctx: OperationContext, bridge: ProgressBridge, data: DirectionDataset, state: TrainingState, opts: TrainOptions, onFinal: (m: CheckpointMeta) => void): Promise<TrainResult> {
  const spec = state.request;
  const rng = Rng.fromWords(state.rngState);
  const build = () => ({ ...state, rngState: rng.words(), history: state.history.slice() });
  bridge.updateState(state.epoch, build);
  while (state.epoch < spec.epochs) {
    const { weights, steps } = trainEpoch(data, state.model, rng, spec);
    state.model = weights;
    state.step += steps;
    state.epoch += 1;
    state.history.push(epochStats(data, weights, state.epoch));
    if (state.epoch >= spec.epochs) break;
    if (state.epoch === opts.stopAfterEpochs) ctx.token.cancel(`stopped after ${state.epoch} epochs as asked`);
    bridge.updateState(state.epoch, build);
    await bridge.yieldToEventLoop();
  }
  const result: TrainResult = { features: data.features, mean: data.mean, std: data.std, model: state.model, epochs: state.epoch, steps: state.step, history: state.history };
  onFinal(bridge.saveFinal({ format: TRAINING_RESULT_FORMAT, version: 1, request: spec, result }, undefined, state.epoch));
  return result;
}

function bridgeOf(ctx: OperationContext, spec: TrainSpec, startUnit: number, opts: TrainOptions): ProgressBridge {
  return ctx.bridge({ policy: spec.checkpoint, total: spec.epochs, startUnit, progressEveryMs: 0, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
}

function runOptions(opts: TrainOptions) {
  return { ...(opts.token !== undefined ? { token: opts.token } : {}), ...(opts.signals !== undefined ? { signals: opts.signals } : {}) };
}

function registryOf(opts: TrainOptions): OperationRegistry {
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
registerResumer("training", (ctx) => continueTraining(ctx, {}, () => {}));
