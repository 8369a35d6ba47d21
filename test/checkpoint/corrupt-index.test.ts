import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointService, OperationRegistry } from "../../lib/checkpoint";
import { CheckpointError } from "../../lib/errors";
import { snapshot, tempRoot } from "./helpers";

describe("a corrupt index.json", () => {
  for (const [what, content, why] of [
    ["torn JSON", '{"format":"stratlab-checkpoints","version":1,"checkpoints":[{"id":"ck-', /is not valid JSON/],
    ["the wrong shape", '{"checkpoints": {}}', /"format" is undefined, expected "stratlab-checkpoints"/],
    ["an entry pointing outside its folder", JSON.stringify({ format: "stratlab-checkpoints", version: 1, checkpoints: [{ id: "ck-1", operationId: "bt-1", type: "periodic", createdAt: "2025-01-01T00:00:00Z", path: "../../etc", state: { file: "state.json", sha256: "x", bytes: 1 }, artifacts: [] }] }), /checkpoints\[0\] has path "..\/..\/etc"/],
  ] as const) {
    it(`(${what}) is refused by every operation, named, and left untouched`, () => {
      const root = tempRoot();
      const service = new CheckpointService({ root });
      const kept = service.save("bt-keep", "periodic", { bar: 1 });
      const index = join(root, "index.json");
      writeFileSync(index, content);
      const before = snapshot(root);
      const calls: [string, () => unknown][] = [
        ["save", () => service.save("bt-new", "periodic", { bar: 2 })],
        ["load", () => service.load(kept.id)],
        ["loadLatest", () => service.loadLatest("bt-keep")],
        ["list", () => service.list()],
        ["delete", () => service.delete(kept.id)],
        ["deleteOperation", () => service.deleteOperation("bt-keep")],
        ["cleanup", () => service.cleanup({ maxAge: 0 })],
      ];
      for (const [name, call] of calls) {
        let err: unknown;
        try {
          call();
        } catch (e) {
          err = e;
        }
        expect(err, name).toBeInstanceOf(CheckpointError);
        const msg = (err as Error).message;
        expect(msg, name).toMatch(new RegExp(`^checkpoint index ${index.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is corrupt: `));
        expect(msg, name).toMatch(why);
        expect(msg, name).toMatch(/it was left untouched — restore it from a backup, or move it aside to start a new index \(checkpoint folders stay on disk\)$/);
        expect(msg, name).not.toContain("\n");
      }
      expect(readFileSync(index, "utf8")).toBe(content);
      expect(snapshot(root)).toEqual(before); // no folder deleted, no new one left behind
    });
  }

  it("a corrupt operations.json is refused the same way", async () => {
    const root = tempRoot();
    const file = join(root, "operations.json");
    writeFileSync(file, "[1,2");
    const registry = new OperationRegistry({ root });
    expect(() => registry.list()).toThrow(new RegExp(`^operations registry ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is corrupt: is not valid JSON .*it was left untouched`));
    await expect(registry.run({ type: "backtesting", request: {}, signals: false }, () => 1)).rejects.toThrow(CheckpointError);
    expect(readFileSync(file, "utf8")).toBe("[1,2");
  });
});
