import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main";
import { loadBars } from "../../lib/data/csv";
import { HEADER, tempDir } from "./helpers";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
afterEach(() => vi.restoreAllMocks());

/** Run the CLI in-process, capturing stdout and stderr. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe("stratlab data", () => {
  it("generate --json writes the file and prints exactly one JSON document", async () => {
    const out = join(tmp.dir, "gen", "bars.csv");
    const r = await cli("data", "generate", "--days", "3", "--seed", "9", "--bar-minutes", "15", "--out", out, "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(doc).toMatchObject({ out, seed: 9, days: 3, bar_minutes: 15, rows: 288, bar_ms: 900_000, first: "2023-01-01T00:00:00Z", last: "2023-01-03T23:45:00Z" });
    expect(loadBars(out).length).toBe(288);
  });

  it("generate prints one human line and the same seed gives the same file", async () => {
    const a = join(tmp.dir, "a.csv");
    const b = join(tmp.dir, "b.csv");
    const r = await cli("data", "generate", "--days", "2", "--seed", "4", "--out", a);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^wrote ${a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 576 5m bars, 2023-01-01T00:00:00Z to 2023-01-02T23:55:00Z \\(seed 4, [0-9.]+ s\\)\\n$`));
    await cli("data", "generate", "--days", "2", "--seed", "4", "--out", b);
    expect(Array.from(loadBars(b).close)).toEqual(Array.from(loadBars(a).close));
  });

  it("info --json describes a file: rows, span, spacing, gaps, price range", async () => {
    const times = [0, 5, 10, 30].map((m) => new Date(Date.UTC(2024, 2, 1) + m * 60_000).toISOString());
    const file = tmp.file("info.csv", [HEADER, ...times.map((t, i) => `${t},${100 + i},${102 + i},${99 - i},${101 + i},${i}`)].join("\n"));
    const r = await cli("data", "info", file, "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      source: file,
      rows: 4,
      first: "2024-03-01T00:00:00Z",
      last: "2024-03-01T00:30:00Z",
      span_ms: 35 * 60_000,
      span: "35m",
      bar_ms: 300_000,
      spacing: "5m",
      gaps: { count: 1, missing_bars: 3, largest_ms: 20 * 60_000, largest: "20m", largest_between: ["2024-03-01T00:10:00Z", "2024-03-01T00:30:00Z"] },
      price: { low: 96, high: 105, first_open: 100, last_close: 104 },
      volume: { total: 6, zero_bars: 1 },
    });
  });

  it("info prints a human summary", async () => {
    const file = tmp.file("h.csv", `${HEADER}\n2024-03-01T00:00:00Z,100,102,99,101,5\n2024-03-01T00:05:00Z,101,103,100,102,6\n`);
    const r = await cli("data", "info", file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("rows     2\n");
    expect(r.stdout).toContain("spacing  5m\n");
    expect(r.stdout).toContain("gaps     none\n");
    expect(r.stdout).toContain("price    low 99, high 103");
  });

  it("bad input ends with exit code 2 and one line, and writes nothing", async () => {
    const bad = tmp.file("bad.csv", `${HEADER}\n2024-03-01T00:00:00Z,100,102,99,,5\n`);
    const r = await cli("data", "info", bad, "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ schema_version: 1, error: `DataError: ${bad} line 2: close is empty; fill it in or delete the row` });
    expect(r.stderr).toBe(`DataError: ${bad} line 2: close is empty; fill it in or delete the row\n`);

    const out = join(tmp.dir, "never", "x.csv");
    const g = await cli("data", "generate", "--days", "two", "--out", out);
    expect(g.code).toBe(2);
    expect(g.stderr).toBe('UsageError: --days "two" must be a number <= 36500\n');
    expect((await cli("data", "generate", "--days", "0", "--out", out)).stderr).toBe("UsageError: days 0 must be a positive number\n");
    expect(existsSync(join(tmp.dir, "never"))).toBe(false);
  });

  it("asks for a sub-command", async () => {
    const r = await cli("data");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("UsageError: data needs a sub-command: generate, info; see: stratlab help data\n");
    expect((await cli("data", "make")).stderr).toContain('unknown sub-command "data make"; sub-commands: generate, info');
  });

  it("leaves no temp files after generating", () => {
    expect(readdirSync(join(tmp.dir, "gen"))).toEqual(["bars.csv"]);
  });
});
