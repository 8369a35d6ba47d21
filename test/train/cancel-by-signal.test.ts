/**
 * SIGTERM to a running `stratlab train` (as Ctrl-C or a process manager would): exit 130,
 * one line naming the cancellation checkpoint and the resume command, and a cancellation
 * checkpoint with the weights and optimizer artifacts at the epoch reached.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { OperationRegistry } from "../../lib/checkpoint";
import { CLI } from "../cli/run-cli";
import { withBarsCsv } from "./fixtures";

let dir: string;
let data: string;
withBarsCsv("stratlab-train-signal-", { days: 5, seed: 9 }, (d, f) => {
  dir = d;
  data = f;
});

test("SIGTERM during training: exit 130, a cancellation checkpoint with artifacts, the resume command", async () => {
  const root = join(dir, "ck");
  const child = spawn(process.execPath, [CLI, "train", "--data", data, "--epochs", "100000", "--hidden", "4", "--checkpoint-every", "0", "--out", join(dir, "m"), "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stdout.resume();
  const code = await new Promise<number | null>((res) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
      // The first progress line comes after epoch 1.
      if (/train \[/.test(stderr) && !child.killed) child.kill("SIGTERM");
    });
    child.on("exit", (c) => res(c));
  });
  expect(code, stderr).toBe(130);
  const line = stderr.trim().split("\n").pop()!;
  expect(line).toMatch(/^CancelledError: operation (tr-\S+) cancelled \(.*SIGTERM.*\) at unit \d+; saved checkpoint ck-\S+; resume with: stratlab operations resume tr-\S+ --root /);
  const registry = new OperationRegistry({ root });
  const [op] = registry.list({ type: "training" });
  expect(op!.status).toBe("cancelled");
  const [ck] = registry.checkpoints.list({ operationId: op!.id });
  expect(ck!.type).toBe("cancellation");
  expect(ck!.unit).toBeGreaterThanOrEqual(1);
  expect(ck!.artifacts.map((a) => a.name).sort()).toEqual(["optimizer.bin", "optimizer.json", "topology.json", "weights.bin"]);
});
