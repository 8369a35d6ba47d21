import { beforeAll, describe, expect, it } from "vitest";
import { CancellationToken, CheckpointService, ProgressBridge } from "../../lib/checkpoint";
import { CancelledError } from "../../lib/errors";
import { childScript, requireDist, startChild, tempRoot } from "./helpers";

beforeAll(requireDist);

describe("cancellation checkpoint", () => {
  it("cancel before the first periodic checkpoint still saves a cancellation checkpoint from the latest state", () => {
    const checkpoints = new CheckpointService({ root: tempRoot() });
    const bridge = new ProgressBridge({ checkpoints, operationId: "bt-early", policy: { everyUnits: 10_000 } });
    let err: unknown;
    try {
      for (let bar = 1; bar <= 15_000; bar++) {
        if (bar === 4_321) bridge.token.cancel("test says stop");
        bridge.updateState(bar, () => ({ bar, cash: bar * 2 }));
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CancelledError);
    const saved = checkpoints.list({ operationId: "bt-early" });
    expect(saved.map((c) => [c.type, c.unit])).toEqual([["cancellation", 4_321]]);
    expect(checkpoints.load(saved[0]!.id).state).toEqual({ bar: 4_321, cash: 8_642 });
    expect((err as Error).message).toBe(`operation bt-early cancelled (test says stop) at unit 4321; saved checkpoint ${saved[0]!.id}; resume with: stratlab operations resume bt-early`);
  });

  it("throwIfCancelled saves from the cached builder; cancelled before any state saves nothing and says so", () => {
    const checkpoints = new CheckpointService({ root: tempRoot() });
    const bridge = new ProgressBridge({ checkpoints, operationId: "bt-cached" });
    bridge.updateState(7, () => ({ bar: 7 }));
    bridge.token.cancel();
    expect(() => bridge.throwIfCancelled()).toThrow(/at unit 7; saved checkpoint/);
    expect(bridge.saveCancellation()).toBe(bridge.cancellationCheckpoint); // once only
    expect(checkpoints.list().map((c) => c.unit)).toEqual([7]);

    const fresh = new ProgressBridge({ checkpoints, operationId: "bt-nothing" });
    fresh.token.cancel("early");
    expect(() => fresh.throwIfCancelled()).toThrow("operation bt-nothing cancelled (early) before any progress was reported; nothing to resume from");
    expect(checkpoints.list({ operationId: "bt-nothing" })).toEqual([]);
  });

  it("reuses the state built for a periodic checkpoint at the same unit", () => {
    const checkpoints = new CheckpointService({ root: tempRoot() });
    const bridge = new ProgressBridge({ checkpoints, operationId: "bt-reuse", policy: { everyUnits: 10 } });
    let builds = 0;
    for (let bar = 1; bar <= 10; bar++) bridge.updateState(bar, () => (builds++, { bar }));
    bridge.token.cancel();
    expect(() => bridge.throwIfCancelled()).toThrow(CancelledError);
    expect(builds).toBe(1);
    expect(checkpoints.list().map((c) => [c.type, c.unit])).toEqual([["periodic", 10], ["cancellation", 10]]);
  });
});

describe("CancellationToken", () => {
  it("keeps the first reason, notifies listeners once, links parents", () => {
    const parent = new CancellationToken();
    const child = CancellationToken.linked(parent);
    const heard: string[] = [];
    child.onCancel((r) => heard.push(r));
    parent.cancel("first");
    parent.cancel("second");
    expect(child.isCancelled).toBe(true);
    expect(child.reason).toBe("first");
    expect(heard).toEqual(["first"]);
    expect(() => child.throwIfCancelled()).toThrow(new CancelledError("cancelled: first"));
    const late: string[] = [];
    child.onCancel((r) => late.push(r));
    expect(late).toEqual(["first"]);
  });

  it("fromSignals installs SIGINT/SIGTERM handlers and dispose removes them", () => {
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const token = CancellationToken.fromSignals();
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual([before[0]! + 1, before[1]! + 1]);
    token.dispose();
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(before);
    expect(token.isCancelled).toBe(false);
  });
});

// A loop that yields now and then, as an engine in a CLI process or a notebook cell does.
const LOOP = `
  const root = process.argv[2];
  const checkpoints = new ckpt.CheckpointService({ root });
  const token = ckpt.CancellationToken.fromSignals();
  const bridge = new ckpt.ProgressBridge({ checkpoints, operationId: "bt-signal", token, policy: { everyUnits: 1000000 } });
  let said = false;
  try {
    for (let bar = 1; ; bar++) {
      bridge.updateState(bar, () => ({ bar }));
      if (bar % 500 === 0) {
        await bridge.yieldToEventLoop();
        if (!said && bar >= 5000) { said = true; say({ running: bar }); }
      }
    }
  } catch (e) {
    say({ cancelled: e.message, checkpoint: bridge.cancellationCheckpoint && bridge.cancellationCheckpoint.id, unit: bridge.currentUnit });
    if (process.argv[3] === "hang") { say({ hanging: true }); for (;;) {} }
    if (process.argv[3] === "linger") { say({ lingering: true }); await new Promise((r) => setTimeout(r, 1500)); say({ survived: true }); }
    process.exitCode = e.exitCode;
  } finally { token.dispose(); }
`;

describe("signals, in a real process", () => {
  it("SIGINT cancels: a cancellation checkpoint at the current bar, exit code 130", async () => {
    const root = tempRoot();
    const child = startChild(childScript(root, "loop.js", LOOP), [root]);
    await child.waitFor((l) => "running" in l);
    child.proc.kill("SIGINT");
    const done = await child.waitFor((l) => "cancelled" in l);
    expect(await child.exited).toEqual({ code: 130, signal: null });
    expect(done.cancelled).toMatch(/^operation bt-signal cancelled \(received SIGINT \(Ctrl-C or notebook interrupt\)\) at unit \d+; saved checkpoint ck-/);
    const c = new CheckpointService({ root }).loadLatest<{ bar: number }>("bt-signal");
    expect(c.meta.type).toBe("cancellation");
    expect(c.meta.id).toBe(done.checkpoint);
    expect(c.state.bar).toBe(done.unit);
    expect(c.state.bar).toBeGreaterThanOrEqual(5000);
  });

  it("SIGTERM cancels the same way", async () => {
    const root = tempRoot();
    const child = startChild(childScript(root, "loop.js", LOOP), [root]);
    await child.waitFor((l) => "running" in l);
    child.proc.kill("SIGTERM");
    const done = await child.waitFor((l) => "cancelled" in l);
    expect(done.cancelled).toMatch(/received SIGTERM/);
    expect((await child.exited).code).toBe(130);
  });

  it("a second Ctrl-C kills a process stuck after the first", async () => {
    const root = tempRoot();
    const child = startChild(childScript(root, "loop.js", LOOP), [root, "hang"]);
    await child.waitFor((l) => "running" in l);
    child.proc.kill("SIGINT");
    await child.waitFor((l) => "hanging" in l);
    child.proc.kill("SIGINT");
    expect(await child.exited).toEqual({ code: null, signal: "SIGINT" });
  });

  it("in a notebook kernel (tslab has its own SIGINT listener) a second interrupt goes to the kernel, not a kill", async () => {
    const root = tempRoot();
    const kernel = `let interrupts = 0; process.on("SIGINT", () => { interrupts++; say({ kernelInterrupt: interrupts }); });\n`;
    const child = startChild(childScript(root, "kernel.js", kernel + LOOP), [root, "linger"]);
    await child.waitFor((l) => "running" in l);
    child.proc.kill("SIGINT");
    await child.waitFor((l) => "lingering" in l);
    child.proc.kill("SIGINT");
    await child.waitFor((l) => l.kernelInterrupt === 2);
    await child.waitFor((l) => "survived" in l);
    expect((await child.exited).code).toBe(130);
    expect(new CheckpointService({ root }).latest("bt-signal")?.type).toBe("cancellation");
  });
});
