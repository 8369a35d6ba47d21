import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckpointService, OperationRegistry } from "../../lib/checkpoint";
import { childScript, fakeClock, requireDist, startChild, tempRoot } from "./helpers";

beforeAll(requireDist);

const DAY = 86_400_000;

describe("cleanup", () => {
  it("removes old checkpoints from index and disk, and skips those of a running operation", async () => {
    const root = tempRoot();
    // A real process running an operation that has checkpoints.
    const child = startChild(childScript(root, "running.js", `
      const registry = new ckpt.OperationRegistry({ root: process.argv[2] });
      await registry.run({ type: "training", request: {}, signals: false }, async (ctx) => {
        const bridge = ctx.bridge({ policy: { everyUnits: 1 } });
        bridge.updateState(1, () => ({ epoch: 1 }));
        say({ running: ctx.operation.id, checkpoint: bridge.savedCheckpoints[0].id });
        for (;;) { await bridge.yieldToEventLoop(); await new Promise((r) => setTimeout(r, 20)); }
      });
    `), [root]);
    const { running, checkpoint: runningCk } = (await child.waitFor((l) => "running" in l)) as { running: string; checkpoint: string };
    try {
      // Finished operations with checkpoints, saved "now" by the real clock.
      const registry = new OperationRegistry({ root });
      const done = await registry.run({ type: "backtesting", request: {}, signals: false, keepCheckpoints: true }, (ctx) => {
        ctx.bridge({ policy: { everyUnits: 1 } }).updateState(1, () => ({ bar: 1 }));
      });
      const doneCk = registry.checkpoints.list({ operationId: done.operation.id })[0]!.id;

      // Eight days later:
      const clock = fakeClock(Date.now() + 8 * DAY);
      const later = new CheckpointService({ root, clock });
      // ... one recent checkpoint (one day old) of another finished operation,
      const recent = new CheckpointService({ root, clock: { now: () => clock.now() - DAY } }).save("bt-recent", "final", { x: 1 });
      // ... and a folder a killed save left behind, not in the index.
      const orphan = join(root, done.operation.id, "ck-orphan");
      mkdirSync(orphan, { recursive: true });
      writeFileSync(join(orphan, "state.json"), "{");

      const dry = later.cleanup({ maxAge: "7d", dryRun: true });
      expect(dry.removed.map((c) => c.id)).toEqual([doneCk]);
      expect(existsSync(join(root, done.operation.id, doneCk))).toBe(true);

      const r = later.cleanup({ maxAge: "7d" });
      expect(r.removed.map((c) => c.id)).toEqual([doneCk]);
      expect(r.skipped).toEqual([{ id: runningCk, operationId: running, reason: expect.stringMatching(new RegExp(`^operation ${running} is running \\(pid ${child.proc.pid}\\)$`)) }]);
      expect(r.orphans).toEqual([`${done.operation.id}/ck-orphan`]);
      expect(later.list().map((c) => c.id).sort()).toEqual([runningCk, recent.id].sort());
      expect(existsSync(join(root, done.operation.id))).toBe(false);
      expect(existsSync(join(root, running, runningCk, "state.json"))).toBe(true);
      expect(later.load(runningCk).state).toEqual({ epoch: 1 });
    } finally {
      child.proc.kill("SIGKILL");
      await child.exited;
    }
    // Once its process is gone the operation is no longer running: its checkpoint goes too.
    const after = new CheckpointService({ root, clock: fakeClock(Date.now() + 8 * DAY) }).cleanup({ maxAge: "7d" });
    expect(after.removed.map((c) => c.id)).toEqual([runningCk]);
    expect(after.skipped).toEqual([]);
  });

  it("keeps unlisted folders younger than max-age (a save may be in progress)", () => {
    const root = tempRoot();
    const service = new CheckpointService({ root });
    const dir = join(root, "bt-busy", "ck-inprogress");
    mkdirSync(dir, { recursive: true });
    expect(service.cleanup({ maxAge: "1h" }).orphans).toEqual([]);
    const old = (Date.now() - 2 * 3_600_000) / 1000;
    utimesSync(dir, old, old);
    expect(service.cleanup({ maxAge: "1h" }).orphans).toEqual(["bt-busy/ck-inprogress"]);
    expect(existsSync(dir)).toBe(false);
  });
});
