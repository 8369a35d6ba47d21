/**
 * Registers the tslab kernel project-locally (<root>/.jupyter/share/jupyter/kernels/tslab),
 * started by this project's own tslab binary by absolute path, so Jupyter needs neither a
 * global tslab nor node_modules/.bin on PATH.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { jupyterPrefix, kernelSpecFile } from "../notebook/jupyter";

export interface KernelOutcome {
  ok: boolean;
  /** kernel.json, when registered. */
  spec: string;
  action: "registered" | "exists" | "failed";
  error?: string;
}

export function tslabBinary(root: string): string {
  return join(root, "node_modules", ".bin", "tslab");
}

/** Already registered with this tree's tslab binary? (The tree may have moved since.) */
function upToDate(root: string): boolean {
  try {
    const spec = JSON.parse(readFileSync(kernelSpecFile(root), "utf8")) as { argv?: string[] };
    return spec.argv?.[0] === tslabBinary(root);
  } catch {
    return false;
  }
}

/** `tslab install --python=PY --prefix=<root>/.jupyter` (needs the Python's jupyter_client). */
export function registerKernel(root: string, python: string): KernelOutcome {
  const spec = kernelSpecFile(root);
  if (upToDate(root)) return { ok: true, spec, action: "exists" };
  const bin = tslabBinary(root);
  if (!existsSync(bin)) return { ok: false, spec, action: "failed", error: `${bin} is missing; run: npm install` };
  const r = spawnSync(bin, ["install", `--python=${python}`, `--prefix=${jupyterPrefix(root)}`, `--binary=${bin}`], { encoding: "utf8", timeout: 120_000 });
  if (r.error || r.status !== 0 || !existsSync(spec)) {
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-3).join(" | ");
    return { ok: false, spec, action: "failed", error: `tslab install failed (${r.error?.message ?? `exit ${r.status}`}): ${out}` };
  }
  return { ok: true, spec, action: "registered" };
}
