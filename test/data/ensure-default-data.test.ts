import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBars } from "../../lib/data/csv";
import { ensureDefaultData } from "../../lib/data/generate";
import { tempDir } from "./helpers";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("ensureDefaultData", () => {
  it("generates 730 days of 5-minute bars (seed 1) when the file is absent, and leaves it alone after", () => {
    const path = join(tmp.dir, "data", "default_5m.csv");
    expect(ensureDefaultData(path)).toBe(true);
    const bars = loadBars(path);
    expect(bars.length).toBe(210_240);
    expect(bars.t[0]).toBe(Date.UTC(2023, 0, 1));
    const before = statSync(path).mtimeMs;
    expect(ensureDefaultData(path)).toBe(false);
    expect(statSync(path).mtimeMs).toBe(before);
  });

  it("never overwrites an existing file, even one that is not bars", () => {
    const path = join(tmp.dir, "mine.csv");
    writeFileSync(path, "my own data\n");
    expect(ensureDefaultData(path)).toBe(false);
    expect(readFileSync(path, "utf8")).toBe("my own data\n");
    expect(existsSync(path)).toBe(true);
  });
});
