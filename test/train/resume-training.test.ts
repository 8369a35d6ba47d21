/**
 * Training 100 epochs straight, and training cancelled at epoch 30 then continued in a new
 * process with the command the cancellation printed (`stratlab operations resume tr-...`),
 * give the same weights (sha256 of the weight bytes), the same model folder and the same
 * loss history. The cancellation checkpoint holds real artifact files (weights, topology,
 * Adam's moments and step), each with its sha256 in the index. Adam with dropout, so the
 * optimiser state and the RNG (batch order, dropout masks) both have to be restored.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { OperationRegistry } from "../../lib/checkpoint";
import type { TrainDocument, TrainingState } from "../../lib/train";
import { runCli } from "../cli/run-cli";
import { withBarsCsv } from "./fixtures";

let dir: string;
let data: string;
withBarsCsv("stratlab-train-", { days: 8, seed: 77 }, (d, f) => {
  dir = d;
  data = f;
});

const args = (out: string, root: string) => ["train", "--data", data, "--epochs", "100", "--hidden", "8,4", "--batch-size", "128", "--lr", "0.01", "--dropout", "0.2", "--seed", "5", "--out", out, "--root", root, "--json"];
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test("100 epochs straight = cancel at 30 + `operations resume` (the printed command) in a new process: same weights sha256, model and loss history", async () => {
  const straight = await runCli(args(join(dir, "straight"), join(dir, "ck-straight")));
  expect(straight.code, straight.stderr).toBe(0);
  const full = JSON.parse(straight.stdout) as TrainDocument;
  expect(full).toMatchObject({ status: "completed", epoch: 100, epochs: 100, model: join(dir, "straight") });
  expect(full.history.map((h) => h.epoch)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  expect(full.history[99]!.loss).toBeLessThan(full.history[0]!.loss);
  expect(full.weights_sha256).toBe(sha(readFileSync(join(dir, "straight", "weights.bin"))));
  expect(straight.stderr).not.toMatch(/tfjs-node|Hi,? there|looking for/i);

  const root = join(dir, "ck");
  const cut = await runCli([...args(join(dir, "resumed"), root), "--stop-after-epochs", "30"]);
  expect(cut.code, cut.stderr).toBe(130);
  const command = /resume with: (stratlab operations resume (tr-\S+) --root \S+)$/m.exec(cut.stderr);
  expect(command, cut.stderr).not.toBeNull();
  const id = command![2]!;

  // The cancellation checkpoint: state.json plus artifact files, each with its sha256.
  const registry = new OperationRegistry({ root });
  const [periodic10, periodic20, cancellation] = registry.checkpoints.list({ operationId: id });
  expect([periodic10?.type, periodic10?.unit, periodic20?.unit, cancellation?.type, cancellation?.unit]).toEqual(["periodic", 10, 20, "cancellation", 30]);
  const ck = registry.checkpoints.load<TrainingState>(cancellation!.id);
  expect(Object.keys(ck.artifacts).sort()).toEqual(["optimizer.bin", "optimizer.json", "topology.json", "weights.bin"]);
  for (const a of cancellation!.artifacts) expect(sha(readFileSync(join(ck.dir, a.file))), a.name).toBe(a.sha256);
  expect(ck.state).toMatchObject({ epoch: 30, request: { epochs: 100, hidden: [8, 4], dropout: 0.2 } });
  expect(ck.state.history).toEqual(full.history.slice(0, 30));
  expect(ck.state.rngState).toHaveLength(4);
  const optimizer = JSON.parse(ck.artifacts["optimizer.json"]!.toString("utf8")) as { kind: string; step: number };
  const trainRows = Math.floor((ck.state.request.data.bars - 48 - 1) * 0.7);
  expect(optimizer).toMatchObject({ kind: "adam", step: 30 * Math.ceil(trainRows / 128) });
  // Adam's moments: m and v for every weight.
  expect(ck.artifacts["optimizer.bin"]!.length).toBe(2 * ck.artifacts["weights.bin"]!.length);

  const resumed = await runCli([...command![1]!.split(" ").slice(1), "--json"]);
  expect(resumed.code, resumed.stderr).toBe(0);
  const doc = JSON.parse(resumed.stdout) as TrainDocument;
  expect(doc).toMatchObject({ status: "completed", epoch: 100, resumed_from: id, model: join(dir, "resumed") });
  expect(doc.operation_id).toMatch(/^tr-/);
  expect(doc.weights_sha256).toBe(full.weights_sha256);
  expect(doc.history).toEqual(full.history);
  expect(doc.metrics).toEqual(full.metrics);
  for (const f of ["weights.bin", "topology.json", "normalisation.json", "features.json"]) {
    expect(readFileSync(join(dir, "resumed", f)).equals(readFileSync(join(dir, "straight", f))), f).toBe(true);
  }
  expect(registry.get(doc.operation_id).status).toBe("completed");
  expect(registry.checkpoints.list({ operationId: id })).toEqual([]);
});
