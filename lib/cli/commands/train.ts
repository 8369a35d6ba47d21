import { CancelledError, UsageError } from "../../errors";
import { CHECKPOINTS_DIR, DEFAULT_DATA } from "../../paths";
import { DEFAULT_CHECKPOINT_EVERY_EPOCHS, DEFAULT_MODEL_DIR, train, type EpochEvent, type TrainDocument, type TrainRequest } from "../../train/run";
import { checkpointPolicy, num, numList, oneOf, str } from "../args";
import type { Command, CommandContext } from "../command";
import { cancelledWithRoot } from "../cancelled";
import { ProgressReporter } from "../progress";

/** A bound on every epoch count: more is a typo (an epoch on 210k bars takes seconds). */
const MAX_EPOCHS = 100_000;

export const trainCommand: Command = {
  name: "train",
  summary: "train the direction model (an MLP on tfjs) with checkpoints; write a model folder for ml_signal",
  usage: [
    "usage: stratlab train [--data FILE] [--epochs N] [--hidden 32,16] [--optimizer adam|sgd] [--lr X]",
    "                      [--batch-size N] [--horizon H] [--seed S] [--dropout P] [--patience K]",
    "                      [--checkpoint-every N] [--checkpoint-minutes M] [--stop-after-epochs K]",
    "                      [--out DIR] [--resume] [--root DIR] [--json]",
    "",
    `  --data                OHLCV CSV (default ${DEFAULT_DATA})`,
    "  --epochs              epochs to train (default 20)",
    "  --hidden              hidden layer widths (default 32,16)",
    "  --optimizer           adam (default) or sgd (with momentum 0.9)",
    "  --lr                  learning rate (default 0.001 for adam, 0.01 for sgd)",
    "  --batch-size          rows per mini-batch (default 256)",
    "  --horizon             the label is the sign of the next H-bar return (default 1)",
    "  --seed                seeds the initial weights, batch order and dropout masks (default 1)",
    "  --dropout             dropout rate after each hidden layer (default 0)",
    "  --patience            early stopping: stop after K epochs without a lower validation loss",
    `  --checkpoint-every    periodic checkpoint every N epochs (default ${DEFAULT_CHECKPOINT_EVERY_EPOCHS}; 0: none by epochs)`,
    "  --checkpoint-minutes  also every M minutes of the clock (whichever comes first)",
    "  --stop-after-epochs   cancel after K epochs (demos, tests): saves a cancellation checkpoint, exit 130",
    `  --out                 model folder (default ${DEFAULT_MODEL_DIR})`,
    "  --resume              continue the newest cancelled or failed training of the same request, if any",
    `  --root                checkpoint folder (default ${CHECKPOINTS_DIR})`,
    "",
    "Progress (loss, validation loss, ETA) goes to stderr. Ctrl-C or SIGTERM saves a cancellation",
    "checkpoint and exits 130; continue with the printed command: stratlab operations resume ID.",
    "The resumed model equals an uninterrupted run's (same weights_sha256).",
  ].join("\n"),
  options: {
    data: { type: "string" },
    epochs: { type: "string" },
    hidden: { type: "string" },
    optimizer: { type: "string" },
    lr: { type: "string" },
    "batch-size": { type: "string" },
    horizon: { type: "string" },
    seed: { type: "string" },
    dropout: { type: "string" },
    patience: { type: "string" },
    "checkpoint-every": { type: "string" },
    "checkpoint-minutes": { type: "string" },
    "stop-after-epochs": { type: "string" },
    out: { type: "string" },
    resume: { type: "boolean" },
    root: { type: "string" },
  },
  async run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`train takes no positional argument, got ${JSON.stringify(ctx.positionals[0])}`);
    const checkpoint = checkpointPolicy(ctx.values, DEFAULT_CHECKPOINT_EVERY_EPOCHS, MAX_EPOCHS);
    const hidden = numList(ctx.values, "hidden");
    const optimizer = oneOf<"adam" | "sgd">(ctx.values, "optimizer", ["adam", "sgd"]);
    const opt = (name: string, o: { min?: number; max?: number; int?: boolean }) => num(ctx.values, name, o);
    const fields: [keyof TrainRequest, number | undefined][] = [
      ["epochs", opt("epochs", { int: true, min: 1, max: MAX_EPOCHS })],
      ["learningRate", opt("lr", { min: Number.MIN_VALUE, max: 10 })],
      ["batchSize", opt("batch-size", { int: true, min: 1, max: 1_000_000 })],
      ["horizon", opt("horizon", { int: true, min: 1, max: 100_000 })],
      ["seed", opt("seed", { int: true, min: 0, max: 2 ** 32 - 1 })],
      ["dropout", opt("dropout", { min: 0, max: 0.99 })],
      ["patience", opt("patience", { int: true, min: 1, max: MAX_EPOCHS })],
    ];
    const request: TrainRequest = {
      data: str(ctx.values, "data") ?? DEFAULT_DATA,
      checkpoint,
      ...(hidden !== undefined ? { hidden } : {}),
      ...(optimizer !== undefined ? { optimizer } : {}),
      ...(str(ctx.values, "out") !== undefined ? { out: str(ctx.values, "out") } : {}),
      ...Object.fromEntries(fields.filter(([, v]) => v !== undefined)),
    };
    const stopAfterEpochs = num(ctx.values, "stop-after-epochs", { int: true, min: 1, max: MAX_EPOCHS });
    const root = str(ctx.values, "root");
    const reporter = new ProgressReporter("train", process.stderr, 2000);
    let outcome;
    try {
      outcome = await train(request, {
        onEpoch: (e) => reporter.update(epochLine(e)),
        resume: ctx.values.resume === true,
        ...(root !== undefined ? { root } : {}),
        ...(stopAfterEpochs !== undefined ? { stopAfterEpochs } : {}),
      });
    } catch (e) {
      reporter.done();
      // The resume command the bridge prints must name a non-default root.
      // A script reads the structured document (operation, checkpoint, epoch, resume command), as for a backtest.
      if (e instanceof CancelledError) throw cancelledWithRoot(e, root, "epoch");
      throw e;
    }
    reporter.done();
    printTraining(ctx, outcome.result);
    return outcome.result;
  },
};

function epochLine(e: EpochEvent) {
  return { done: e.epoch, total: e.epochs, rate: e.epochsPerSecond, etaMs: e.etaMs, note: `loss ${e.loss.toFixed(4)}  val loss ${e.val_loss.toFixed(4)}  val acc ${e.val_accuracy.toFixed(3)}` };
}

/** The human summary of a finished training (train and operations resume print it). */
export function printTraining(ctx: Pick<CommandContext, "json" | "out">, doc: TrainDocument): void {
  if (ctx.json) return;
  const m = doc.metrics;
  if (doc.resumed_from) ctx.out(`resumed ${doc.resumed_from} as ${doc.operation_id}`);
  ctx.out(`trained ${doc.epoch}/${doc.epochs} epochs${doc.stopped_early ? " (stopped early)" : ""}: val loss ${m.val_loss.toFixed(4)}, val accuracy ${m.val_accuracy.toFixed(3)}, test loss ${m.test_loss.toFixed(4)}, test accuracy ${m.test_accuracy.toFixed(3)}`);
  ctx.out(`model ${doc.model} (weights sha256 ${doc.weights_sha256})`);
  ctx.out(`operation ${doc.operation_id} completed`);
}
