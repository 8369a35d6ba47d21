/**
 * Training checkpoint policies and the library's resume paths:
 * - 15 epochs with a checkpoint every 10 epochs: exactly one periodic checkpoint, at epoch 10;
 * - every M minutes (a tiny M): periodic checkpoints by the clock, without an epoch rule;
 * - on cancel through the caller's token: a cancellation checkpoint at that epoch;
 * - SGD with momentum and early stopping, cancelled and continued with `train(..., { resume: true })`
 *   (what the notebook's re-run does) and with `resumeTraining(id)`: the uninterrupted result,
 *   velocities and the early-stopping best included.
 */
import { join } from "node:path";
import { expect, test } from "vitest";
import { CancellationToken, OperationRegistry, type ProgressEvent } from "../../lib/checkpoint";
import { CancelledError } from "../../lib/errors";
import { resumeTraining, train, type TrainingState, type TrainRequest } from "../../lib/train";
import { withBarsCsv } from "./fixtures";

let dir: string;
let data: string;
withBarsCsv("stratlab-train-policy-", { days: 5, seed: 3 }, (d, f) => {
  dir = d;
  data = f;
});

const base = (over: Partial<TrainRequest> = {}): TrainRequest => ({ data, hidden: [6], batchSize: 128, learningRate: 0.01, seed: 2, out: join(dir, "model"), ...over });

test("15 epochs, a checkpoint every 10: exactly one periodic checkpoint, at epoch 10", async () => {
  const root = join(dir, "every10");
  const events: ProgressEvent[] = [];
  const r = await train(base({ epochs: 15, checkpoint: { everyUnits: 10 } }), { root, signals: false, keepCheckpoints: true, onProgress: (e) => events.push(e) });
  expect(r.result.epoch).toBe(15);
  const kept = new OperationRegistry({ root }).checkpoints.list({ operationId: r.operation.id });
  // Exactly one periodic checkpoint; the result is kept as the `final` one.
  expect(kept.map((c) => [c.type, c.unit])).toEqual([["periodic", 10], ["final", 15]]);
  expect(events.filter((e) => e.kind === "checkpoint").map((e) => e.unit)).toEqual([10]);
  expect(kept[0]!.artifacts.map((a) => a.name).sort()).toEqual(["optimizer.bin", "optimizer.json", "topology.json", "weights.bin"]);
});

test("every M minutes: periodic checkpoints by the clock alone", async () => {
  const root = join(dir, "minutes");
  const r = await train(base({ epochs: 4, checkpoint: { everyMinutes: 1e-6 } }), { root, signals: false, keepCheckpoints: true });
  const units = new OperationRegistry({ root }).checkpoints.list({ operationId: r.operation.id }).filter((c) => c.type === "periodic").map((c) => c.unit);
  // The bridge keeps the newest two periodic checkpoints: epochs 2 and 3 (the 4th is the end, kept as `final`).
  expect(units).toEqual([2, 3]);
});

test("cancel through the caller's token: a cancellation checkpoint at that epoch", async () => {
  const root = join(dir, "token");
  const token = new CancellationToken();
  const e = await train(base({ epochs: 10, checkpoint: {} }), { root, signals: false, token, onEpoch: (ev) => ev.epoch === 3 && token.cancel("notebook interrupt") }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(CancelledError);
  expect((e as Error).message).toMatch(/cancelled \(notebook interrupt\) at unit 3; saved checkpoint ck-\S+; resume with: stratlab operations resume tr-/);
  const registry = new OperationRegistry({ root });
  const [op] = registry.list({ type: "training" });
  expect(registry.checkpoints.list({ operationId: op!.id }).map((c) => [c.type, c.unit])).toEqual([["cancellation", 3]]);
});

test("SGD with momentum and early stopping: cancel, re-run with resume: true, cancel, resumeTraining: the uninterrupted result", async () => {
  const req = base({ epochs: 40, optimizer: "sgd", learningRate: 0.05, momentum: 0.8, patience: 3, checkpoint: { everyUnits: 2 }, out: join(dir, "sgd-full") });
  const full = (await train(req, { root: join(dir, "sgd-full"), signals: false })).result;
  expect(full.stopped_early, "the case exercises early stopping").toBe(true);
  expect(full.epoch).toBeLessThan(40);

  const root = join(dir, "sgd");
  const cutReq = { ...req, out: join(dir, "sgd-cut") };
  const first = await train(cutReq, { root, signals: false, stopAfterEpochs: 2 }).catch((x: unknown) => x);
  expect(first).toBeInstanceOf(CancelledError);
  const registry = new OperationRegistry({ root });
  const ck = registry.checkpoints.loadLatest<TrainingState>(registry.list({ type: "training" })[0]!.id);
  expect(ck.state.request.optimizer).toEqual({ kind: "sgd", learningRate: 0.05, momentum: 0.8 });
  expect(ck.state.best).not.toBeNull();
  expect(Object.keys(ck.artifacts).sort()).toEqual(["best-weights.bin", "optimizer.bin", "optimizer.json", "topology.json", "weights.bin"]);
  // SGD: one velocity per weight.
  expect(ck.artifacts["optimizer.bin"]!.length).toBe(ck.artifacts["weights.bin"]!.length);

  // The notebook's re-run of the same cell: finds the cancelled training and continues it.
  const second = await train(cutReq, { root, signals: false, resume: true, stopAfterEpochs: 4 }).catch((x: unknown) => x);
  expect(second).toBeInstanceOf(CancelledError);
  const id2 = /operation (tr-\S+) cancelled/.exec((second as Error).message)![1]!;
  expect(registry.get(id2).resumedFrom).toBeDefined();
  const done = await resumeTraining(id2, { root, signals: false });
  expect(done.result.weights_sha256).toBe(full.weights_sha256);
  expect(done.result.history).toEqual(full.history);
  expect({ ...done.result.metrics }).toEqual(full.metrics);
  expect(done.result.epoch).toBe(full.epoch);
});
