/**
 * The model folder: what `train` writes loads back verified; the plain-arithmetic predictions
 * (no tfjs) agree with tfjs' float32 forward pass to 1e-6; and bad model folders and data are
 * one-line errors with exit 2 through the real CLI: a missing folder, a corrupt file (sha256
 * mismatch), a model built for other features, a data file too short for the split.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, expect, test } from "vitest";
import { writeBarsCsv } from "../../lib/data/csv";
import { generateBars } from "../../lib/data/generate";
import { sha256 } from "../../lib/io/atomic";
import { loadModel } from "../../lib/train";
import { computeFeatures, FEATURE_NAMES } from "../../lib/train/features";
import { runCli } from "../cli/run-cli";
import { TINY_MODEL } from "../strategies/fixtures";
import { withBarsCsv } from "./fixtures";

let dir: string;
let data: string;
withBarsCsv("stratlab-model-", { days: 10, seed: 4 }, (d, f) => {
  dir = d;
  data = f;
});
beforeAll(() => {
  tf.env().set("PROD", true);
});

test("the tiny fixture loads verified; plain predictions = tfjs float32 forward pass within 1e-6", async () => {
  const m = loadModel(TINY_MODEL);
  expect(m.manifest).toMatchObject({ format: "stratlab-model", version: 1, hidden: [8], horizon: 1 });
  expect(m.manifest.weights_sha256).toBe(sha256(readFileSync(join(TINY_MODEL, "weights.bin"))));
  const bars = generateBars({ days: 5, seed: 8 });
  const p = m.predict(bars);
  await tf.setBackend("cpu");
  const F = FEATURE_NAMES.length;
  const raw = computeFeatures(bars);
  const n = bars.length - 48;
  const x = new Float32Array(n * F);
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) x[r * F + f] = (raw[(r + 48) * F + f]! - m.files.normalisation.mean[f]!) / m.files.normalisation.std[f]!;
  const t = m.files.topology.tensors;
  const w = m.files.weights;
  const tensor = (k: number) => tf.tensor(w.subarray(t[k]!.offset, t[k]!.offset + t[k]!.length), t[k]!.shape);
  const out = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.tensor2d(x, [n, F]), tensor(0) as tf.Tensor2D), tensor(1))) as tf.Tensor2D, tensor(2) as tf.Tensor2D), tensor(3))).dataSync());
  let worst = 0;
  for (let r = 0; r < n; r++) worst = Math.max(worst, Math.abs(out[r]! - p[r + 48]!));
  expect(worst).toBeLessThan(1e-6);
  expect(Number.isNaN(p[47])).toBe(true);
});

function copyModel(name: string): string {
  const to = join(dir, name);
  cpSync(TINY_MODEL, to, { recursive: true });
  return to;
}

async function expectOneLineError(args: string[], pattern: RegExp): Promise<void> {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\s+at .*\.js:\d+/);
}

test("bad input through the CLI: exit 2 and one line", async () => {
  const evaluate = (model: string) => ["evaluate", "--strategy", "ml_signal", "--params", JSON.stringify({ model }), "--data", data];
  await expectOneLineError(evaluate(join(dir, "missing")), /ModelError: model folder .*missing: manifest.json is missing; retrain it/);

  const corrupt = copyModel("corrupt");
  const bytes = readFileSync(join(corrupt, "weights.bin"));
  bytes[5] = bytes[5]! ^ 0xff;
  writeFileSync(join(corrupt, "weights.bin"), bytes);
  await expectOneLineError(evaluate(corrupt), /ModelError: model folder .*corrupt: weights.bin does not match its sha256 in manifest.json/);

  // A consistent folder (hashes match) from a version with other features.
  const other = copyModel("other-features");
  const features = JSON.parse(readFileSync(join(other, "features.json"), "utf8")) as { version: number; names: string[] };
  const edited = JSON.stringify({ ...features, version: 0, names: features.names.slice(0, 4) });
  writeFileSync(join(other, "features.json"), edited);
  const manifest = JSON.parse(readFileSync(join(other, "manifest.json"), "utf8")) as { files: Record<string, string> };
  manifest.files["features.json"] = sha256(edited);
  writeFileSync(join(other, "manifest.json"), JSON.stringify(manifest));
  await expectOneLineError(evaluate(other), /ModelError: model folder .*other-features was built for other features \(version 0: ret_1, ret_3, ret_12, ret_48\); this stratlab computes version 1: .*; retrain the model/);

  const short = join(dir, "short.csv");
  writeBarsCsv(generateBars({ days: 1, seed: 1 }), short);
  const lines = readFileSync(short, "utf8").split("\n");
  writeFileSync(short, lines.slice(0, 160).join("\n") + "\n");
  await expectOneLineError(["train", "--data", short, "--epochs", "2", "--out", join(dir, "never"), "--root", join(dir, "ck")], /DataError: .*short.csv: 159 bars are too few for the train\/validation\/test split/);
  await expectOneLineError(["train", "--data", data, "--hidden", "8,0", "--out", join(dir, "never"), "--root", join(dir, "ck")], /UsageError: --hidden "8,0" must be a positive number/);
  await expectOneLineError(["train", "--data", data, "--optimizer", "rmsprop", "--out", join(dir, "never"), "--root", join(dir, "ck")], /UsageError: --optimizer/);
  // --out a folder that is not a model folder (the data folder here), or a file: refused before training, nothing written.
  const before = readFileSync(data);
  await expectOneLineError(["train", "--data", data, "--out", dir, "--root", join(dir, "ck")], /UsageError: --out .* is a folder that is not a model folder \(no manifest.json/);
  await expectOneLineError(["train", "--data", data, "--out", data, "--root", join(dir, "ck")], /UsageError: --out .*bars.csv is a file; the model is a folder/);
  expect(readFileSync(data).equals(before)).toBe(true);
});
