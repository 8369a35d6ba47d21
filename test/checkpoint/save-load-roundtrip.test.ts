import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckpointService } from "../../lib/checkpoint";
import { CheckpointError } from "../../lib/errors";
import { sha256 } from "../../lib/io/atomic";
import { childScript, fakeClock, requireDist, startChild, tempRoot } from "./helpers";

beforeAll(requireDist);

const weights = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
const state = { bar: 12_345, cash: 1000.5, position: { side: "long", size: 0.25 }, equity: [1000, 1001.25, 999.5], note: "ünïcode" };

describe("save -> new process -> load", () => {
  it("a checkpoint saved here loads, verified, in another process", async () => {
    const root = tempRoot();
    const service = new CheckpointService({ root });
    const meta = service.save("bt-roundtrip", "periodic", state, { "weights.bin": weights, "notes.txt": "hello" }, { unit: 12_345 });
    const script = childScript(root, "load.js", `
      const s = new ckpt.CheckpointService({ root: process.argv[2] });
      const c = s.load(process.argv[3]);
      say({ state: c.state, unit: c.meta.unit, artifacts: Object.fromEntries(Object.entries(c.artifacts).map(([k, v]) => [k, v.toString("base64")])) });
    `);
    const child = startChild(script, [root, meta.id]);
    const line = await child.waitFor(() => true);
    expect((await child.exited).code).toBe(0);
    expect(line.state).toEqual(state);
    expect(line.unit).toBe(12_345);
    const arts = line.artifacts as Record<string, string>;
    expect(Buffer.from(arts["weights.bin"]!, "base64").equals(weights)).toBe(true);
    expect(Buffer.from(arts["notes.txt"]!, "base64").toString()).toBe("hello");
  });

  it("a checkpoint saved by another process loads here, and latest is the newest", async () => {
    const root = tempRoot();
    const script = childScript(root, "save.js", `
      const s = new ckpt.CheckpointService({ root: process.argv[2] });
      const a = s.save("bt-child", "periodic", { bar: 1 }, {}, { unit: 1 });
      const b = s.save("bt-child", "cancellation", { bar: 2, xs: [1, 2, 3] }, { "m.bin": Buffer.from([1, 2, 3]) }, { unit: 2 });
      say({ a: a.id, b: b.id });
    `);
    const child = startChild(script, [root]);
    const ids = await child.waitFor(() => true);
    expect((await child.exited).code).toBe(0);
    const service = new CheckpointService({ root });
    const latest = service.loadLatest<{ bar: number; xs: number[] }>("bt-child");
    expect(latest.meta.id).toBe(ids.b);
    expect(latest.meta.type).toBe("cancellation");
    expect(latest.state).toEqual({ bar: 2, xs: [1, 2, 3] });
    expect([...latest.artifacts["m.bin"]!]).toEqual([1, 2, 3]);
    expect(service.load(ids.a as string).state).toEqual({ bar: 1 });
  });
});

describe("on-disk layout and records", () => {
  it("writes state.json and artifacts under <root>/<operation>/<checkpoint>/ with their sha256 in index.json", () => {
    const root = tempRoot();
    const service = new CheckpointService({ root });
    const meta = service.save("tr-layout", "final", { epoch: 3 }, { "model.json": "{}" }, { unit: 3 });
    const dir = join(root, "tr-layout", meta.id);
    const stateBytes = readFileSync(join(dir, "state.json"));
    expect(meta.state.sha256).toBe(sha256(stateBytes));
    expect(JSON.parse(stateBytes.toString())).toMatchObject({ format: "stratlab-checkpoint-state", checkpointId: meta.id, operationId: "tr-layout", type: "final", unit: 3, state: { epoch: 3 } });
    expect(readFileSync(join(dir, "artifacts", "model.json"), "utf8")).toBe("{}");
    const index = JSON.parse(readFileSync(join(root, "index.json"), "utf8"));
    expect(index).toMatchObject({ format: "stratlab-checkpoints", version: 1 });
    expect(index.checkpoints).toEqual([meta]);
    expect(meta.artifacts).toEqual([{ name: "model.json", file: "artifacts/model.json", sha256: sha256("{}"), bytes: 2 }]);
  });

  it("lists with filters, deletes index entry and folder", () => {
    const root = tempRoot();
    const clock = fakeClock();
    const service = new CheckpointService({ root, clock });
    const old = service.save("bt-a", "periodic", { i: 1 });
    clock.advance(3 * 86_400_000);
    const recent = service.save("bt-a", "cancellation", { i: 2 });
    const other = service.save("bt-b", "periodic", { i: 3 });
    expect(service.list().map((c) => c.id)).toEqual([old.id, recent.id, other.id]);
    expect(service.list({ operationId: "bt-a" }).map((c) => c.id)).toEqual([old.id, recent.id]);
    expect(service.list({ type: "periodic" }).map((c) => c.id)).toEqual([old.id, other.id]);
    expect(service.list({ olderThan: "2d" }).map((c) => c.id)).toEqual([old.id]);
    expect(service.list({ newerThan: "1d" }).map((c) => c.id)).toEqual([recent.id, other.id]);
    service.delete(recent.id);
    expect(existsSync(join(root, "bt-a", recent.id))).toBe(false);
    expect(existsSync(join(root, "bt-a", old.id))).toBe(true);
    expect(service.latest("bt-a")?.id).toBe(old.id);
    expect(() => service.load(recent.id)).toThrow(CheckpointError);
    expect(service.deleteOperation("bt-a").map((c) => c.id)).toEqual([old.id]);
    expect(existsSync(join(root, "bt-a"))).toBe(false);
    expect(service.list().map((c) => c.id)).toEqual([other.id]);
  });

  it("refuses state JSON would mangle, and bad names, writing nothing", () => {
    const root = tempRoot();
    const service = new CheckpointService({ root });
    expect(() => service.save("bt-x", "periodic", { equity: new Float64Array(3) })).toThrow(/"equity" is a Float64Array; convert it with Array.from/);
    expect(() => service.save("bt-x", "periodic", { sharpe: NaN })).toThrow(/"sharpe" is NaN/);
    expect(() => service.save("../escape", "periodic", {})).toThrow(/operation id/);
    expect(() => service.save("bt-x", "periodic", {}, { "../x": "a" })).toThrow(/artifact name/);
    expect(() => service.save("bt-x", "sometimes" as "periodic", {})).toThrow(/periodic, cancellation, final/);
    expect(service.list()).toEqual([]);
    expect(existsSync(join(root, "bt-x"))).toBe(false);
  });
});
