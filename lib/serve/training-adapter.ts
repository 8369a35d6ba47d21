/**
 * Training through the service: the one place that knows lib/train's API. `start` maps the API
 * body to a training request, `resume` continues a training operation; both run in a worker
 * process: the API's snake_case fields become a TrainRequest (lib/train/run.ts).
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
    const pick = <T>(key: string): T | undefined => body[key] as T | undefined;
    const fields: [keyof TrainRequest, unknown][] = [
      ["data", pick<string>("data")],
      ["epochs", pick<number>("epochs")],
      ["hidden", pick<number[]>("hidden")],
      ["optimizer", pick<"adam" | "sgd">("optimizer")],
      ["learningRate", pick<number>("learning_rate")],
      ["momentum", pick<number>("momentum")],
      ["batchSize", pick<number>("batch_size")],
      ["horizon", pick<number>("horizon")],
      ["seed", pick<number>("seed")],
      ["dropout", pick<number>("dropout")],
      ["patience", pick<number>("patience")],
      ["trainFraction", pick<number>("train_fraction")],
      ["valFraction", pick<number>("val_fraction")],
      ["out", pick<string>("out")],
    ];
    const request = Object.fromEntries(fields.filter(([, v]) => v !== undefined)) as TrainRequest;
    await train(request, options(ctx, body.stop_after_epochs as number | undefined));
  },
  async resume(id, ctx) {
    const { resumeTraining } = loadTrain();
    await resumeTraining(id, options(ctx));
  },
};
