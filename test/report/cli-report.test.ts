import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main";
import { makeRunDir } from "./fixtures";

let out: string[];
let err: string[];

beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const lines = (xs: string[]) => xs.join("").split("\n").filter(Boolean);

describe("stratlab report", () => {
  it("writes the report and prints the paths written", async () => {
    const fx = makeRunDir({ trials: 6, strategies: ["sma_cross"], objectives: ["mar"] });
    expect(await main(["report", fx.dir, "--top", "3"])).toBe(0);
    const paths = lines(out);
    expect(paths[paths.length - 1]).toBe(join(fx.dir, "index.html"));
    expect(paths).toContain(join(fx.dir, "report", "curves.json"));
    for (const p of paths) expect(existsSync(p), p).toBe(true);
    expect(JSON.parse(readFileSync(join(fx.dir, "report", "top.json"), "utf8")).overall).toHaveLength(3);
    expect(lines(err).at(-1)).toMatch(/^6 trials, 3 curves, status complete, \d+ ms; open /);
  });

  it("--json prints one document with the paths; --no-curves skips the curves (and drops stale ones)", async () => {
    const fx = makeRunDir({ trials: 4, strategies: ["sma_cross"], objectives: ["mar"] });
    expect(await main(["report", fx.dir])).toBe(0);
    expect(existsSync(join(fx.dir, "report", "curves.json"))).toBe(true);
    out.length = 0;
    expect(await main(["report", fx.dir, "--no-curves", "--json"])).toBe(0);
    const docs = lines(out);
    expect(docs).toHaveLength(1);
    const doc = JSON.parse(docs[0]);
    expect(doc.index).toBe(join(fx.dir, "index.html"));
    expect(doc.curves).toBe(0);
    expect(doc.files).toContain(join(fx.dir, "report", "summary.csv"));
    expect(doc.files).not.toContain(join(fx.dir, "report", "curves.json"));
    expect(existsSync(join(fx.dir, "report", "curves.json"))).toBe(false);
  });

  it("--single-file inlines plotly into index.html", async () => {
    const fx = makeRunDir({ trials: 3, strategies: ["sma_cross"], objectives: ["mar"] });
    expect(await main(["report", fx.dir, "--no-curves", "--single-file"])).toBe(0);
    const html = readFileSync(join(fx.dir, "index.html"), "utf8");
    expect(html).not.toMatch(/<script src=/);
    expect(html.length).toBeGreaterThan(3_000_000);
    expect(lines(out).some((p) => /plotly/.test(p))).toBe(false);
  });

  it("--external-plotly loads one shared copy; with --single-file it is a usage error", async () => {
    const fx = makeRunDir({ trials: 3, strategies: ["sma_cross"], objectives: ["mar"] });
    expect(await main(["report", fx.dir, "--no-curves", "--external-plotly"])).toBe(0);
    expect(readFileSync(join(fx.dir, "index.html"), "utf8")).toContain('<script src="../plotly.min.js">');
    expect(lines(out)).toContain(join(fx.dir, "..", "plotly.min.js"));
    err.length = 0;
    expect(await main(["report", fx.dir, "--external-plotly", "--single-file"])).toBe(2);
    expect(lines(err)).toHaveLength(1);
  });

  it("exits 2 with one line naming the file when DIR is not a run directory", async () => {
    const empty = mkdtempSync(join(tmpdir(), "stratlab-notrun-"));
    expect(await main(["report", empty])).toBe(2);
    expect(lines(err)).toEqual([`RunError: ${join(empty, "manifest.json")} does not exist; ${empty} is not a run directory`]);
    err.length = 0;
    expect(await main(["report", join(empty, "nope")])).toBe(2);
    expect(lines(err)).toHaveLength(1);
    expect(lines(err)[0]).toContain(join(empty, "nope"));
  });

  it("exits 2 naming manifest.json when it is corrupt", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "stratlab-badrun-")), "run");
    mkdirSync(dir);
    writeFileSync(join(dir, "manifest.json"), '{"v":1,"name":');
    expect(await main(["report", dir, "--json"])).toBe(2);
    const e = lines(err);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(new RegExp(`^RunError: ${join(dir, "manifest.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON`));
    expect(JSON.parse(lines(out)[0]).error).toBe(e[0]);
    err.length = 0;
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ v: 1, name: "x", created: "2025-01-01" }));
    expect(await main(["report", dir])).toBe(2);
    expect(lines(err)[0]).toMatch(/manifest\.json: args is not an object$/);
  });

  it("refuses a bad --top and a missing DIR with a usage error", async () => {
    expect(await main(["report"])).toBe(2);
    expect(lines(err)[0]).toMatch(/^UsageError: give one run directory/);
    err.length = 0;
    expect(await main(["report", "x", "--top", "0"])).toBe(2);
    expect(lines(err)[0]).toMatch(/^UsageError: --top "0" must be an integer >= 1/);
  });
});
