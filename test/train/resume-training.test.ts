/**
 * Training with epoch checkpoints: cancelled after epoch 2, resumed and cancelled after epoch 4,
 * then resumed in a new process through the registered `training` resumer, it ends with the
 * weights of an uninterrupted run bit for bit, and the same history. And it learns: the
 * training loss falls below that of the initial weights (ln 2).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { OperationRegistry } from "../../lib/checkpoint";
import { writeBarsCsv } from "../../lib/data/csv";
import { generateBars } from "../../lib/data/generate";
import { CancelledError } from "../../lib/errors";
import { resumeTraining, train, type TrainResult } from "../../lib/train";

const DIST_TRAIN = resolve(__dirname, "../../dist/lib/train/index.js");
const DIST_CHECKPOINT = resolve(__dirname, "../../dist/lib/checkpoint/index.js");
let dir: string;
let data: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stratlab-train-"));
  data = join(dir, "bars.csv");
  writeBarsCsv(generateBars({ days: 30, seed: 77 }), data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = () => ({ data, epochs: 5, batchSize: 256, learningRate: 0.05, seed: 3 });

function expectSameModel(a: TrainResult, b: TrainResult): void {
  expect(a.model.weights.length).toBe(b.model.weights.length);
  a.model.weights.forEach((w, i) => expect(Object.is(w, b.model.weights[i]), `weight ${i}: ${w} vs ${b.model.weights[i]}`).toBe(true));
  expect(Object.is(a.model.bias, b.model.bias)).toBe(true);
  expect(a).toEqual(b);
}

test("cancel after epochs 2 and 4, resume (last time in a new process): the uninterrupted weights, bit for bit", async () => {
  const full = (await train(request(), { root: join(dir, "full"), signals: false })).result;
  expect(full.epochs).toBe(5);
  expect(full.history).toHaveLength(6);
  expect(full.history[0]!.trainLoss).toBeCloseTo(Math.LN2, 12);
  expect(full.history[5]!.trainLoss).toBeLessThan(full.history[0]!.trainLoss);
  expect(full.model.weights.some((w) => w !== 0)).toBe(true);

  const root = join(dir, "ck");
  const first = await train(request(), { root, signals: false, stopAfterEpochs: 2 }).catch((e: unknown) => e);
  expect(first).toBeInstanceOf(CancelledError);
  const id = /operation (tr-\S+) cancelled/.exec((first as Error).message)![1]!;
  const registry = new OperationRegistry({ root });
  expect(registry.checkpoints.list({ operationId: id }).map((c) => [c.type, c.unit])).toEqual([
    ["periodic", 1],
    ["cancellation", 2],
  ]);
  const second = await resumeTraining(id, { root, signals: false, stopAfterEpochs: 4 }).catch((e: unknown) => e);
  expect(second).toBeInstanceOf(CancelledError);
  const id2 = /operation (tr-\S+) cancelled/.exec((second as Error).message)![1]!;
  expect(registry.checkpoints.latest(id2)?.unit).toBe(4);

  const script = join(dir, "resume.js");
  writeFileSync(
    script,
    `require(${JSON.stringify(DIST_TRAIN)});\nconst { OperationRegistry } = require(${JSON.stringify(DIST_CHECKPOINT)});\n` +
      `new OperationRegistry({ root: process.argv[2] }).resume(process.argv[3], undefined, { signals: false }).then((r) => process.stdout.write(JSON.stringify(r.result)), (e) => { process.stderr.write(String(e.stack)); process.exitCode = 1; });\n`,
  );
  const child = spawnSync(process.execPath, [script, root, id2], { encoding: "utf8" });
  expect(child.status, child.stderr).toBe(0);
  const resumed = JSON.parse(child.stdout) as TrainResult;
  expectSameModel(resumed, JSON.parse(JSON.stringify(full)) as TrainResult);
});
