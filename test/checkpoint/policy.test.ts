import { describe, expect, it } from "vitest";
import { CheckpointPolicy, CheckpointService, ProgressBridge } from "../../lib/checkpoint";
import { UsageError } from "../../lib/errors";
import { fakeClock, tempRoot } from "./helpers";

describe("unit-based policy", () => {
  it("15,000 units with every 10,000 take exactly one checkpoint, at 10,000", () => {
    const checkpoints = new CheckpointService({ root: tempRoot() });
    const bridge = new ProgressBridge({ checkpoints, operationId: "bt-units", policy: { everyUnits: 10_000 } });
    let builds = 0;
    for (let bar = 1; bar <= 15_000; bar++) {
      bridge.updateState(bar, () => {
        builds++;
        return { bar };
      });
    }
    const saved = checkpoints.list({ operationId: "bt-units" });
    expect(saved.map((c) => [c.type, c.unit])).toEqual([["periodic", 10_000]]);
    expect(checkpoints.load(saved[0]!.id).state).toEqual({ bar: 10_000 });
    expect(builds).toBe(1); // the thunk runs only when a checkpoint is due
  });

  it("thresholds are multiples of N, also with sparse updates and after a resume", () => {
    const p = new CheckpointPolicy({ everyUnits: 100 });
    const hits: number[] = [];
    for (let u = 7; u <= 400; u += 7) if (p.shouldCheckpoint({ unit: u })) { hits.push(u); p.recordCheckpoint({ unit: u }); }
    expect(hits).toEqual([105, 203, 301]);
    const resumed = new CheckpointPolicy({ everyUnits: 100 }, { startUnit: 250 });
    expect(resumed.shouldCheckpoint({ unit: 299 })).toBe(false);
    expect(resumed.shouldCheckpoint({ unit: 300 })).toBe(true);
  });

  it("never checkpoints by default", () => {
    const checkpoints = new CheckpointService({ root: tempRoot() });
    const clock = fakeClock();
    const bridge = new ProgressBridge({ checkpoints, operationId: "bt-never", clock });
    for (let bar = 1; bar <= 50_000; bar++) {
      clock.advance(60_000);
      bridge.updateState(bar, () => ({ bar }));
    }
    expect(bridge.policy.enabled).toBe(false);
    expect(bridge.policy.describe()).toBe("never");
    expect(checkpoints.list()).toEqual([]);
  });
});

describe("time-based policy (fake clock)", () => {
  it("checkpoints every M minutes of the injected clock", () => {
    const clock = fakeClock();
    const checkpoints = new CheckpointService({ root: tempRoot(), clock });
    const bridge = new ProgressBridge({ checkpoints, operationId: "tr-time", policy: { everyMinutes: 5 }, clock });
    // One epoch per minute for 16 minutes: checkpoints at minutes 5, 10, 15.
    for (let epoch = 1; epoch <= 16; epoch++) {
      clock.advance(60_000);
      bridge.updateState(epoch, () => ({ epoch }));
    }
    expect(checkpoints.list().map((c) => c.unit)).toEqual([10, 15]); // the bridge keeps the newest 2 periodic ones
    expect(bridge.savedCheckpoints.map((c) => c.unit)).toEqual([5, 10, 15]);
  });

  it("fast units (the clock is read only every few ms) still checkpoint on time, late by a few ms at most", () => {
    const clock = fakeClock();
    const start = clock.now();
    const checkpoints = new CheckpointService({ root: tempRoot(), clock });
    const bridge = new ProgressBridge({ checkpoints, operationId: "bt-fast", policy: { everyMinutes: 0.01 }, clock }); // every 600 ms
    let reads = 0;
    const counting = { now: () => (reads++, clock.now()) };
    (bridge as unknown as { clock: typeof counting }).clock = counting;
    const state = { bar: 0 };
    const build = () => ({ bar: state.bar });
    // 1,000,000 bars at 10 µs each: 10 s of (fake) time.
    for (let bar = 1; bar <= 1_000_000; bar++) {
      clock.advance(0.01);
      state.bar = bar;
      bridge.updateState(bar, build);
    }
    const at = bridge.savedCheckpoints.map((c) => Date.parse(c.createdAt) - start);
    expect(at).toHaveLength(16);
    at.forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual((i + 1) * 600);
      expect(t - (i === 0 ? 0 : at[i - 1]!)).toBeLessThanOrEqual(606);
    });
    expect(reads).toBeLessThan(20_000); // not one clock read per bar
  });

  it("with both set, whichever comes first, and each checkpoint restarts both counters", () => {
    const clock = fakeClock();
    const p = new CheckpointPolicy({ everyUnits: 1000, everyMinutes: 10 }, { clock });
    clock.advance(9 * 60_000);
    expect(p.shouldCheckpoint({ unit: 999 })).toBe(false);
    expect(p.shouldCheckpoint({ unit: 1000 })).toBe(true); // units first
    p.recordCheckpoint({ unit: 1000 });
    clock.advance(9 * 60_000 + 59_999);
    expect(p.shouldCheckpoint({ unit: 1500 })).toBe(false);
    clock.advance(1);
    expect(p.shouldCheckpoint({ unit: 1500 })).toBe(true); // time first
    p.recordCheckpoint({ unit: 1500 });
    expect(p.shouldCheckpoint({ unit: 1999 })).toBe(false);
    expect(p.shouldCheckpoint({ unit: 2000 })).toBe(true);
    expect(p.describe()).toBe("every 1000 units or every 10 minutes");
  });

  it("refuses nonsense settings", () => {
    expect(() => new CheckpointPolicy({ everyUnits: 0 })).toThrow(UsageError);
    expect(() => new CheckpointPolicy({ everyUnits: 2.5 })).toThrow(/positive integer/);
    expect(() => new CheckpointPolicy({ everyMinutes: -1 })).toThrow(/positive number/);
  });
});

describe("progress reporting", () => {
  it("reports progress throttled by time, and every checkpoint", () => {
    const clock = fakeClock();
    const checkpoints = new CheckpointService({ root: tempRoot(), clock });
    const events: { kind: string; unit: number; fraction?: number }[] = [];
    const bridge = new ProgressBridge({ checkpoints, operationId: "bt-progress", policy: { everyUnits: 50 }, clock, total: 100, progressEveryMs: 1000, onProgress: (e) => events.push({ kind: e.kind, unit: e.unit, fraction: e.fraction }) });
    for (let bar = 1; bar <= 100; bar++) {
      clock.advance(100);
      bridge.updateState(bar, () => ({ bar }));
    }
    expect(events.filter((e) => e.kind === "checkpoint").map((e) => e.unit)).toEqual([50, 100]);
    const progress = events.filter((e) => e.kind === "progress").map((e) => e.unit);
    expect(progress[0]).toBe(1);
    expect(progress.length).toBeGreaterThanOrEqual(8);
    expect(progress.length).toBeLessThanOrEqual(11);
    expect(events.at(-1)).toEqual({ kind: "checkpoint", unit: 100, fraction: 1 });
  });
});
