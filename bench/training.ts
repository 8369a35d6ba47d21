/**
 * Training: epochs per second of the direction MLP on the default data (default settings:
 * hidden 32,16, Adam, batch 256, 70% of the rows train), predictions per second of a loaded
 * model (plain arithmetic, features included), an evaluation of ml_signal once its
 * predictions are cached (against sma_cross), and the time and bytes of one training
 * checkpoint (state.json + weights, topology, Adam moments; written with fsync).
 */
import { join } from "node:path";
import { CheckpointService } from "../lib/checkpoint";
import { Evaluator } from "../lib/engine/evaluate";
import { getStrategy } from "../lib/strategies/registry";
import { validateParams } from "../lib/strategies/params";
import { loadModel, train, type EpochEvent } from "../lib/train";
import { medianTiming, round } from "./measure";
import type { BenchContext, Section, SectionOutput } from "./section";

const EPOCHS = 3;
const RUNS = 5;

async function run(ctx: BenchContext): Promise<SectionOutput> {
  const dir = ctx.tempDir("training");
  const root = join(dir, "checkpoints");
  const out = join(dir, "model");
  const epochs: EpochEvent[] = [];
  ctx.progress(`training: ${EPOCHS} epochs on the default data`);
  const t0 = performance.now();
  const outcome = await train({ data: ctx.dataPath, epochs: EPOCHS, checkpoint: { everyUnits: 1 }, out }, { root, signals: false, keepCheckpoints: true, onEpoch: (e) => epochs.push(e) });
  const wallS = (performance.now() - t0) / 1000;
  const epochMs = epochs.map((e, i) => e.elapsedMs - (i > 0 ? epochs[i - 1]!.elapsedMs : 0));
  const meanEpochMs = epochMs.reduce((a, b) => a + b, 0) / epochMs.length;
  const service = new CheckpointService({ root });
  const kept = service.list({ operationId: outcome.operation.id });
  const ck = service.load(kept[kept.length - 1]!.id);
  const bytes = kept[kept.length - 1]!.bytes;
  ctx.progress("training: one checkpoint write");
  const save = medianTiming(RUNS, () => service.save("bench-op", "periodic", ck.state, ck.artifacts, { unit: 1 }));

  ctx.progress("training: predictions");
  const model = loadModel(out);
  const predict = medianTiming(3, () => model.predict(ctx.bars));
  const ev = new Evaluator(ctx.bars, ctx.costs);
  const ml = getStrategy("ml_signal");
  const mlParams = validateParams(ml, { model: out });
  const sma = getStrategy("sma_cross");
  const smaParams = validateParams(sma, {});
  ev.evaluate(ml, mlParams, 10_000); // loads the model and caches its predictions
  const mlEval = medianTiming(RUNS, () => ev.evaluate(ml, mlParams, 10_000));
  const smaEval = medianTiming(RUNS, () => ev.evaluate(sma, smaParams, 10_000));

  const rows = ctx.bars.length;
  const figures = {
    bars: rows,
    epochs: EPOCHS,
    epoch_ms: epochMs.map((m) => round(m, 1)),
    epochs_per_s: round(1000 / meanEpochMs, 3),
    train_rows_per_s: round((Math.floor((rows - 49) * 0.7) * 1000) / meanEpochMs, 0),
    train_wall_s: round(wallS, 2),
    checkpoint_bytes: bytes,
    checkpoint_files: 1 + ck.meta.artifacts.length,
    checkpoint_write_ms: round(save.wall, 2),
    predict_ms: round(predict.wall, 1),
    predictions_per_s: round((rows * 1000) / predict.wall, 0),
    ml_signal_eval_ms: round(mlEval.wall, 2),
    sma_cross_eval_ms: round(smaEval.wall, 2),
  };
  return {
    figures,
    tables: [
      {
        title: `Training the direction MLP (hidden 32,16, Adam, batch 256) on ${rows.toLocaleString("en-US")} bars, tfjs CPU backend, one thread`,
        columns: ["figure", "value"],
        rows: [
          ["epochs/s", figures.epochs_per_s],
          ["ms per epoch (each)", figures.epoch_ms.join(", ")],
          ["training rows/s", figures.train_rows_per_s],
          ["one checkpoint: bytes (state + 4 artifacts)", bytes],
          ["one checkpoint: write ms (median of 5, fsync)", figures.checkpoint_write_ms],
          ["predict all bars: ms (features + forward pass)", figures.predict_ms],
          ["predictions/s", figures.predictions_per_s],
          ["evaluate ml_signal, predictions cached: ms", figures.ml_signal_eval_ms],
          ["evaluate sma_cross (defaults): ms", figures.sma_cross_eval_ms],
        ],
        notes: [
          `${EPOCHS} epochs with a checkpoint after each; an epoch is one pass over the training rows (mini-batches, Adam updates) plus the validation loss.`,
          "Predictions are computed once per model and bars in a process (a worker), so ml_signal's evaluation cost is that of its hysteresis loop plus the account.",
        ],
      },
    ],
  };
}

export const trainingSection: Section = { name: "training", title: "Training, predictions, training checkpoints", run };
