/**
 * Training through the service: the one place that knows lib/train's API. `start` maps the API
 * body to a training request, `resume` continues a training operation; both run in a worker
 * process. (When lib/train is replaced, only this file changes.)
 */
import type { TrainOptions, TrainRequest } from "../train";
import type { JobContext, OperationHandler } from "./dispatch";

// Loaded when a training runs: it loads tfjs, which other operations' workers do not need.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadTrain = () => require("../train") as typeof import("../train");

function options(ctx: JobContext, stopAfterEpochs?: number): TrainOptions {
  return { registry: ctx.registry, token: ctx.token, signals: false, onProgress: ctx.onProgress, ...(stopAfterEpochs !== undefined ? { stopAfterEpochs } : {}) };
}

export const training: OperationHandler = {
  async start(body, ctx) {
    const { train } = loadTrain();
    const request: TrainRequest = {
      ...(body.data !== undefined ? { data: body.data as string } : {}),
      ...(body.epochs !== undefined ? { epochs: body.epochs as number } : {}),
      ...(body.batch_size !== undefined ? { batchSize: body.batch_size as number } : {}),
      ...(body.learning_rate !== undefined ? { learningRate: body.learning_rate as number } : {}),
      ...(body.seed !== undefined ? { seed: body.seed as number } : {}),
      ...(body.train_fraction !== undefined ? { trainFraction: body.train_fraction as number } : {}),
    };
    await train(request, options(ctx, body.stop_after_epochs as number | undefined));
  },
  async resume(id, ctx) {
    const { resumeTraining } = loadTrain();
    await resumeTraining(id, options(ctx));
  },
};
