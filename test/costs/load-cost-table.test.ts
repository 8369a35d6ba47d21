/** Loading a cost table file: a missing file or invalid JSON is one line naming the file. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCostTable } from "../../lib/costs/load";
import { CostError } from "../../lib/errors";
import { DEFAULT_COSTS } from "../../lib/paths";

const dir = mkdtempSync(join(tmpdir(), "stratlab-costs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(path: string): CostError {
  try {
    loadCostTable(path);
  } catch (e) {
    expect(e).toBeInstanceOf(CostError);
    return e as CostError;
  }
  throw new Error(`loadCostTable(${path}) did not throw`);
}

describe("loadCostTable", () => {
  it("reads a valid file", () => {
    const path = join(dir, "ok.json");
    writeFileSync(path, JSON.stringify({ gas: 1.5, buckets: [{ size: 100, impact: 0.001 }] }));
    const t = loadCostTable(path);
    expect(t.gas).toBe(1.5);
    expect(Array.from(t.sizes)).toEqual([100]);
  });

  it("a missing file: one line naming the file and the fix", () => {
    const path = join(dir, "nope.json");
    const e = errorOf(path);
    expect(e.message).toContain(path);
    expect(e.message).toContain("ENOENT");
    expect(e.message).toContain("--costs");
    expect(e.message).not.toContain("\n");
  });

  it("invalid JSON: one line naming the file", () => {
    const path = join(dir, "broken.json");
    writeFileSync(path, '{ "gas": 1.5, "buckets": [ { "size": 100, }');
    const e = errorOf(path);
    expect(e.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON \\(`));
    expect(e.message).not.toContain("\n");
  });

  it("a valid JSON file with an invalid table: the file and the field", () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, JSON.stringify({ gas: 1, buckets: [{ size: 100, impact: 1.5 }] }));
    expect(errorOf(path).message).toBe(`${path}: buckets[0].impact must be a fraction in [0, 1), got 1.5`);
  });

  it("the shipped data/swap_cost_cache.json is valid", () => {
    const t = loadCostTable(DEFAULT_COSTS);
    expect(t.sizes.length).toBeGreaterThan(0);
  });
});
