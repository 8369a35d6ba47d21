import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { OperationRegistry, registerResumer, type ResumeContext } from "../../lib/checkpoint";
import { CancelledError, CheckpointError, RunError, UsageError } from "../../lib/errors";
import { childScript, requireDist, snapshot, startChild, tempRoot } from "./helpers";

beforeAll(requireDist);

interface BarState {
  bar: number;
  sum: number;
}

/** A cancelled backtest-like operation with a cancellation checkpoint at `stopAt` (and an artifact). */
async function cancelledOperation(registry: OperationRegistry, stopAt = 4_321): Promise<string> {
  let id = "";
  await expect(
    registry.run({ type: "backtesting", request: { strategy: "sma_cross", bars: 10_000 }, signals: false }, (ctx) => {
      id = ctx.operation.id;
      const bridge = ctx.bridge({ policy: { everyUnits: 1_000 } });
      let sum = 0;
      for (let bar = 1; bar <= 10_000; bar++) {
        sum += bar;
        if (bar === stopAt) ctx.token.cancel("test stop");
        const s = sum;
        bridge.updateState(bar, () => ({ bar, sum: s }), () => ({ "model.bin": Buffer.from(`weights@${bar}`) }));
      }
      return sum;
    }),
  ).rejects.toThrow(CancelledError);
  return id;
}

/** Continues the sum from the checkpoint to 10,000 bars. */
async function continueSum(ctx: ResumeContext): Promise<number> {
  const start = ctx.checkpoint.state as BarState;
  const bridge = ctx.bridge({ policy: { everyUnits: 5_000 } });
  let sum = start.sum;
  for (let bar = start.bar + 1; bar <= 10_000; bar++) {
    sum += bar;
    const s = sum;
    bridge.updateState(bar, () => ({ bar, sum: s }));
  }
  return sum;
}

describe("run records an operation's life", () => {
  it("completed, with the request and pid; periodic checkpoints dropped, final kept", async () => {
    const registry = new OperationRegistry({ root: tempRoot() });
    const out = await registry.run({ type: "training", request: { epochs: 3 }, signals: false }, (ctx) => {
      const bridge = ctx.bridge({ policy: { everyUnits: 1 } });
      for (let e = 1; e <= 3; e++) bridge.updateState(e, () => ({ epoch: e }));
      bridge.saveFinal({ epoch: 3, done: true });
      expect(registry.get(ctx.operation.id).status).toBe("running");
      return "ok";
    });
    expect(out.result).toBe("ok");
    expect(out.operation).toMatchObject({ type: "training", status: "completed", request: { epochs: 3 }, pid: process.pid });
    expect(out.operation.id).toMatch(/^tr-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(registry.checkpoints.list({ operationId: out.operation.id }).map((c) => c.type)).toEqual(["final"]);
  });

  it("failed, with the error recorded and rethrown", async () => {
    const registry = new OperationRegistry({ root: tempRoot() });
    await expect(registry.run({ type: "backtesting", request: {}, signals: false }, () => { throw new Error("boom"); })).rejects.toThrow("boom");
    expect(registry.list()).toMatchObject([{ status: "failed", error: "error: boom" }]);
  });

  it("cancelled, with the cancellation checkpoint named", async () => {
    const registry = new OperationRegistry({ root: tempRoot() });
    const id = await cancelledOperation(registry);
    const op = registry.get(id);
    expect(op.status).toBe("cancelled");
    const latest = registry.checkpoints.latest(id)!;
    expect(latest).toMatchObject({ type: "cancellation", unit: 4_321 });
    expect(op.error).toContain(`saved checkpoint ${latest.id}`);
  });
});

describe("resume", () => {
  it("continues from the latest checkpoint as a new linked operation, then deletes the original's checkpoints", async () => {
    const root = tempRoot();
    const registry = new OperationRegistry({ root });
    const id = await cancelledOperation(registry);
    let seen: { bar: number; model: string; request: unknown } | undefined;
    let periodicUnits: number[] = [];
    const out = await registry.resume(id, async (ctx) => {
      seen = { bar: (ctx.checkpoint.state as BarState).bar, model: ctx.checkpoint.artifacts["model.bin"]!.toString(), request: ctx.original.request };
      const sum = await continueSum(ctx);
      periodicUnits = ctx.bridge().savedCheckpoints.map((c) => c.unit!);
      return sum;
    }, { signals: false });
    expect(seen).toEqual({ bar: 4_321, model: "weights@4321", request: { strategy: "sma_cross", bars: 10_000 } });
    expect(periodicUnits).toEqual([5_000, 10_000]); // the policy counts on from the restored unit
    expect(out.result).toBe((10_000 * 10_001) / 2); // same as an uninterrupted run
    expect(out.operation).toMatchObject({ status: "completed", resumedFrom: id, request: { strategy: "sma_cross", bars: 10_000 } });
    expect(out.resumedFrom).toMatchObject({ id, status: "cancelled", resumedBy: out.operation.id });
    expect(out.deletedCheckpoints.length).toBeGreaterThan(0);
    expect(registry.checkpoints.list({ operationId: id })).toEqual([]);
    expect(existsSync(join(root, id))).toBe(false);
    await expect(registry.resume(id, continueSum)).rejects.toThrow(`operation ${id} was resumed as ${out.operation.id} (completed); there is nothing left to resume`);
    await expect(registry.resume(out.operation.id, continueSum)).rejects.toThrow(/completed; there is nothing to resume/);
  });

  it("dispatches on the operation type to the registered resumer", async () => {
    const registry = new OperationRegistry({ root: tempRoot() });
    const id = await cancelledOperation(registry);
    const optId = (await registry.run({ type: "optimisation", request: {}, signals: false }, (ctx) => {
      ctx.bridge().updateState(1, () => ({}));
      throw new Error("crash");
    }).catch(() => registry.list({ type: "optimisation" })[0]!.id)) as string;
    await expect(registry.resume(optId)).rejects.toThrow(new UsageError(`no resumer is registered for optimisation operations; the module that runs them must call registerResumer("optimisation", ...)`));
    registerResumer("backtesting", continueSum);
    const out = await registry.resume(id, undefined, { signals: false });
    expect(out.result).toBe(50_005_000);
  });

  it("a missing artifact: clear error naming the file, nothing deleted, no new operation", async () => {
    const root = tempRoot();
    const registry = new OperationRegistry({ root });
    const id = await cancelledOperation(registry);
    const latest = registry.checkpoints.latest(id)!;
    const artifact = join(root, latest.path, "artifacts", "model.bin");
    rmSync(artifact);
    const before = snapshot(root);
    const err = await registry.resume(id, continueSum, { signals: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(new RegExp(`^checkpoint ${latest.id}: artifact "model.bin" ${artifact.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is missing; restore the file, or delete the checkpoint \\(stratlab checkpoints delete ${latest.id}\\); nothing was deleted; an earlier checkpoint ck-\\S+ \\(periodic at unit 4000\\) exists: delete ${latest.id} to resume from it$`));
    expect((err as Error).message).not.toContain("\n");
    expect(snapshot(root)).toEqual(before);
    expect(registry.list().map((o) => o.id)).toEqual([id]);
  });

  it("a corrupt artifact (sha256 mismatch): clear error, nothing deleted", async () => {
    const root = tempRoot();
    const registry = new OperationRegistry({ root });
    const id = await cancelledOperation(registry);
    const latest = registry.checkpoints.latest(id)!;
    const artifact = join(root, latest.path, "artifacts", "model.bin");
    const bytes = readFileSync(artifact);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(artifact, bytes);
    const before = snapshot(root);
    await expect(registry.resume(id, continueSum, { signals: false })).rejects.toThrow(new RegExp(`artifact "model.bin" .*model\\.bin is corrupt \\(sha256 [0-9a-f]{12}…, index says ${latest.artifacts[0]!.sha256.slice(0, 12)}…\\)`));
    expect(snapshot(root)).toEqual(before);
    // A corrupt state file is caught the same way.
    const stateFile = join(root, latest.path, "state.json");
    writeFileSync(stateFile, readFileSync(stateFile, "utf8").replace("4321", "4322"));
    expect(() => registry.checkpoints.load(latest.id)).toThrow(/state file .*state\.json is corrupt/);
  });

  it("a second concurrent resume of the same operation fails clearly", async () => {
    const root = tempRoot();
    const registry = new OperationRegistry({ root });
    const id = await cancelledOperation(registry);
    const go = join(root, "go");
    const script = childScript(root, "resume.js", `
      const registry = new ckpt.OperationRegistry({ root: process.argv[2] });
      const out = await registry.resume(process.argv[3], async (ctx) => {
        say({ resuming: ctx.operation.id, pid: process.pid });
        while (!require("node:fs").existsSync(process.argv[4])) await new Promise((r) => setTimeout(r, 20));
        return ctx.checkpoint.state.bar;
      }, { signals: false });
      say({ done: out.operation.id, result: out.result });
    `);
    const first = startChild(script, [root, id, go]);
    const started = await first.waitFor((l) => "resuming" in l);
    const err = await registry.resume(id, continueSum, { signals: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunError);
    expect((err as Error).message).toMatch(new RegExp(`^operation ${id} is already being resumed by pid ${started.pid} on \\S+ since \\S+ \\(lock ${root}/\\.locks/${id}\\.resume\\.lock\\); wait for it to end or cancel it`));
    writeFileSync(go, "");
    const done = await first.waitFor((l) => "done" in l);
    expect((await first.exited).code).toBe(0);
    expect(done).toMatchObject({ done: started.resuming, result: 4_321 });
    expect(registry.get(id).resumedBy).toBe(started.resuming);
    expect(existsSync(join(root, ".locks", `${id}.resume.lock`))).toBe(false);
  });

  it("a stale resume lock (its process is dead) is taken over", async () => {
    const root = tempRoot();
    const registry = new OperationRegistry({ root });
    const id = await cancelledOperation(registry);
    const dead = startChild(childScript(root, "dead.js", "say({ pid: process.pid });"));
    const { pid } = await dead.waitFor(() => true);
    await dead.exited;
    const lock = join(root, ".locks", `${id}.resume.lock`);
    writeFileSync(lock, JSON.stringify({ pid, host: require("node:os").hostname(), purpose: `resume ${id}`, acquiredAt: new Date().toISOString() }));
    const out = await registry.resume(id, continueSum, { signals: false });
    expect(out.operation.status).toBe("completed");
  });

  it("refuses an operation that is still running", async () => {
    const registry = new OperationRegistry({ root: tempRoot() });
    await registry.run({ type: "backtesting", request: {}, signals: false }, async (ctx) => {
      await expect(registry.resume(ctx.operation.id, continueSum)).rejects.toThrow(new RunError(`operation ${ctx.operation.id} is still running (pid ${process.pid} on ${ctx.operation.host}); cancel it first: stratlab operations cancel ${ctx.operation.id}`));
    });
  });
});

describe("cross-process cancel and crashed processes", () => {
  const RUNNER = `
    const registry = new ckpt.OperationRegistry({ root: process.argv[2] });
    try {
      await registry.run({ type: "backtesting", request: { bars: 1e12 }, signals: process.argv[3] === "signals" }, async (ctx) => {
        const bridge = ctx.bridge({ policy: { everyUnits: 1000000000 } });
        say({ running: ctx.operation.id });
        // A synchronous loop that never yields: only the cancel request file can reach it.
        for (let bar = 1; ; bar++) {
          bridge.updateState(bar, () => ({ bar }));
          if (process.argv[3] === "signals" && bar % 1000 === 0) await bridge.yieldToEventLoop();
          if (process.argv[3] === "crash" && bar === 1000) { ctx.checkpoints.save(ctx.operation.id, "periodic", { bar }, {}, { unit: bar }); say({ saved: bar }); for (;;) {} }
        }
      });
    } catch (e) { say({ error: e.message }); process.exitCode = e.exitCode; }
  `;

  it("cancel(id) from another process stops a synchronous loop through the cancel request file", async () => {
    const root = tempRoot();
    const child = startChild(childScript(root, "run.js", RUNNER), [root]);
    const { running } = (await child.waitFor((l) => "running" in l)) as { running: string };
    const registry = new OperationRegistry({ root });
    const req = registry.cancel(running);
    expect(req).toMatchObject({ requestFile: join(root, running, "cancel-requested"), signalled: false });
    const ended = await registry.waitForEnd(running, 20_000);
    expect(ended.status).toBe("cancelled");
    expect((await child.exited).code).toBe(130);
    const latest = registry.checkpoints.latest(running)!;
    expect(latest.type).toBe("cancellation");
    expect(ended.error).toMatch(new RegExp(`cancelled \\(cancel requested by pid ${process.pid} \\(stratlab operations cancel\\)\\) at unit \\d+; saved checkpoint ${latest.id}`));
    expect(existsSync(req.requestFile)).toBe(false);
    expect(() => registry.cancel(running)).toThrow(new UsageError(`operation ${running} is not running (status cancelled); nothing to cancel`));
  });

  it("cancel(id, { signal: true }) also sends SIGTERM", async () => {
    const root = tempRoot();
    const child = startChild(childScript(root, "run.js", RUNNER), [root, "signals"]);
    const { running } = (await child.waitFor((l) => "running" in l)) as { running: string };
    const registry = new OperationRegistry({ root });
    expect(registry.cancel(running, { signal: true }).signalled).toBe(true);
    expect((await child.exited).code).toBe(130);
    expect(registry.get(running).status).toBe("cancelled");
  });

  it("an operation whose process was killed shows as failed and can be resumed", async () => {
    const root = tempRoot();
    const child = startChild(childScript(root, "run.js", RUNNER), [root, "crash"]);
    const { running } = (await child.waitFor((l) => "running" in l)) as { running: string };
    await child.waitFor((l) => "saved" in l);
    const registry = new OperationRegistry({ root });
    expect(registry.get(running).status).toBe("running");
    child.proc.kill("SIGKILL");
    await child.exited;
    expect(registry.get(running)).toMatchObject({ status: "failed", error: expect.stringMatching(/ended without recording an outcome/) });
    const out = await registry.resume(running, (ctx) => (ctx.checkpoint.state as BarState).bar, { signals: false });
    expect(out.result).toBe(1000);
  });
});
