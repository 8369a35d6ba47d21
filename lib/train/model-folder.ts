/**
 * A trained model as a folder (docs/training.md):
 *
 *   topology.json       layers and tensor layout (lib/train/mlp.ts Topology)
 *   weights.bin         float32 little-endian, tensors in topology order
 *   normalisation.json  the training split's mean and std per feature
 *   features.json       the feature spec the model was trained on
 *   manifest.json       data sha256, seed, epochs, metrics, weights_sha256, every file's sha256
 *
 * manifest.json is written last (each file atomically), so a folder whose manifest is there
 * and whose files match it is complete. Loading verifies every sha256 and the feature spec,
 * and predicting needs no tfjs: the forward pass below is plain arithmetic, run once per
 * model and bars, so the evaluation hot path never touches tfjs.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Bars } from "../data/bars";
import { ModelError } from "../errors";
import { sha256, writeFileAtomic } from "../io/atomic";
import { PACKAGE_ROOT } from "../paths";
import { computeFeatures, featureSpec, type FeatureSpec, type Normalisation } from "./features";
import type { Topology } from "./mlp";

export const MODEL_FORMAT = "stratlab-model";
/** Where `train` writes the model without `out`; ml_signal's `model: "default"`. */
export const DEFAULT_MODEL_DIR = join(PACKAGE_ROOT, "models", "default");
const FILES = ["topology.json", "weights.bin", "normalisation.json", "features.json"] as const;

export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  version: 1;
  created_at: string;
  operation_id: string;
  data: { path: string; sha256: string; bars: number };
  seed: number;
  /** Epochs trained (the early-stopped epoch when early stopping ended it). */
  epochs: number;
  /** Epoch whose weights the model holds. */
  weights_epoch: number;
  horizon: number;
  split: { train_fraction: number; val_fraction: number; test_first_bar: number; test_first_time: string };
  hidden: number[];
  optimizer: string;
  metrics: { train_loss: number; val_loss: number; val_accuracy: number; test_loss: number; test_accuracy: number };
  weights_sha256: string;
  files: Record<string, string>;
}

export interface ModelFiles {
  topology: Topology;
  weights: Float32Array;
  normalisation: Normalisation;
  features: FeatureSpec;
}

/** Little-endian bytes of a float32 array (the platforms Node runs on are little-endian). */
export function float32Bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export function float32FromBytes(b: Uint8Array): Float32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer, 0, Math.floor(b.byteLength / 4));
}

/** Writes the folder (manifest last); returns the manifest. */
export function writeModelFolder(dir: string, files: ModelFiles, manifest: Omit<ModelManifest, "format" | "version" | "files" | "weights_sha256">): ModelManifest {
  const bytes: Record<(typeof FILES)[number], Buffer> = {
    "topology.json": Buffer.from(JSON.stringify(files.topology, null, 2) + "\n"),
    "weights.bin": float32Bytes(files.weights),
    "normalisation.json": Buffer.from(JSON.stringify(files.normalisation, null, 2) + "\n"),
    "features.json": Buffer.from(JSON.stringify(files.features, null, 2) + "\n"),
  };
  const hashes: Record<string, string> = {};
  for (const name of FILES) {
    writeFileAtomic(join(dir, name), bytes[name]);
    hashes[name] = sha256(bytes[name]);
  }
  const full: ModelManifest = { format: MODEL_FORMAT, version: 1, ...manifest, weights_sha256: hashes["weights.bin"]!, files: hashes };
  writeFileAtomic(join(dir, "manifest.json"), JSON.stringify(full, null, 2) + "\n");
  return full;
}

export interface LoadedModelFiles extends ModelFiles {
  dir: string;
  manifest: ModelManifest;
}

/** Reads and verifies a model folder: ModelError (one line) when missing, corrupt or for other features. */
export function readModelFolder(path: string): LoadedModelFiles {
  const dir = resolve(path);
  const fix = "retrain it (stratlab train --out DIR) or point to another model folder";
  const read = (name: string): Buffer => {
    try {
      return readFileSync(join(dir, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ModelError(`model folder ${dir}: ${name} ${code === "ENOENT" ? "is missing" : `cannot be read (${code ?? e})`}; ${fix}`);
    }
  };
  const json = <T>(name: string, bytes: Buffer): T => {
    try {
      return JSON.parse(bytes.toString("utf8")) as T;
    } catch {
      throw new ModelError(`model folder ${dir}: ${name} is not valid JSON; ${fix}`);
    }
  };
  const manifest = json<ModelManifest>("manifest.json", read("manifest.json"));
  if (manifest?.format !== MODEL_FORMAT || manifest.version !== 1 || typeof manifest.files !== "object" || manifest.files === null) {
    throw new ModelError(`model folder ${dir}: manifest.json is not a stratlab model manifest (format ${MODEL_FORMAT}, version 1); ${fix}`);
  }
  const bytes: Record<string, Buffer> = {};
  for (const name of FILES) {
    const b = read(name);
    const h = sha256(b);
    if (h !== manifest.files[name]) throw new ModelError(`model folder ${dir}: ${name} does not match its sha256 in manifest.json (${h.slice(0, 12)}… vs ${String(manifest.files[name]).slice(0, 12)}…): the folder is corrupt or was edited; ${fix}`);
    bytes[name] = b;
  }
  const topology = json<Topology>("topology.json", bytes["topology.json"]!);
  const features = json<FeatureSpec>("features.json", bytes["features.json"]!);
  const normalisation = json<Normalisation>("normalisation.json", bytes["normalisation.json"]!);
  const mine = featureSpec();
  if (features.version !== mine.version || JSON.stringify(features.names) !== JSON.stringify(mine.names) || features.warmUp !== mine.warmUp) {
    throw new ModelError(`model folder ${dir} was built for other features (version ${features.version}: ${(features.names ?? []).join(", ")}); this stratlab computes version ${mine.version}: ${mine.names.join(", ")}; retrain the model with this version`);
  }
  const weights = float32FromBytes(bytes["weights.bin"]!);
  if (topology.format !== "stratlab-mlp" || topology.inputs !== mine.names.length || weights.length !== topology.size || normalisation.mean?.length !== mine.names.length) {
    throw new ModelError(`model folder ${dir}: topology.json, weights.bin and normalisation.json disagree (${weights.length} weights for ${topology.size}); ${fix}`);
  }
  return { dir, manifest, topology, weights, normalisation, features };
}

/**
 * P(next h-bar return > 0) for every bar; NaN before the warm-up. Plain float64 arithmetic
 * over the float32 weights (tfjs computes in float32: the two agree to ~1e-6, see
 * test/train/model-folder.test.ts).
 */
export function predictBars(model: ModelFiles, bars: Pick<Bars, "close" | "high" | "low" | "length">, out?: Float64Array): Float64Array {
  const n = bars.length;
  const F = model.topology.inputs;
  const p = out ?? new Float64Array(n);
  const raw = computeFeatures(bars);
  const widths = [F, ...model.topology.hidden, 1];
  const maxW = Math.max(...widths);
  let a = new Float64Array(maxW);
  let b = new Float64Array(maxW);
  const { mean, std } = model.normalisation;
  const w = model.weights;
  const t = model.topology.tensors;
  for (let i = 0; i < n; i++) {
    if (i < model.features.warmUp) {
      p[i] = NaN;
      continue;
    }
    for (let f = 0; f < F; f++) a[f] = Math.fround((raw[i * F + f]! - mean[f]!) / std[f]!);
    for (let l = 0; l + 1 < widths.length; l++) {
      const kin = widths[l]!;
      const kout = widths[l + 1]!;
      const k = t[2 * l]!.offset;
      const bias = t[2 * l + 1]!.offset;
      for (let j = 0; j < kout; j++) {
        let s = w[bias + j]!;
        for (let q = 0; q < kin; q++) s += a[q]! * w[k + q * kout + j]!;
        b[j] = l + 2 < widths.length && s < 0 ? 0 : s;
      }
      const tmp = a;
      a = b;
      b = tmp;
    }
    p[i] = 1 / (1 + Math.exp(-a[0]!));
  }
  return p;
}

/** A cache key that changes when the folder is rewritten (manifest.json is written last). */
export function modelStamp(dir: string): string {
  try {
    const s = statSync(join(dir, "manifest.json"));
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return "missing";
  }
}
