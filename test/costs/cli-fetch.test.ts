/**
 * `stratlab costs fetch` as a real process against a loopback quote server: kill -9 mid-fetch
 * and the same command resumes without asking the finished sizes again; a secret header
 * reaches the server but no output or file; failures exit non-zero with one line and leave
 * the old cache byte for byte; a missing cost table is fetched from a configured source, or
 * the one line says how to fetch it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeBarsCsv } from "../../lib/data/csv";
import { generateBars } from "../../lib/data/generate";
import { CLI, runCli } from "../cli/run-cli";
import { impactOf, startQuoteServer, type QuoteServer } from "./quote-server";

const OLD_CACHE = JSON.stringify({ gas: 9, buckets: [{ size: 1, impact: 0.5 }], meta: { kind: "the old one" } }, null, 1);
const SECRET = "sk-live-7f3a9c1e5d";

let server: QuoteServer;
let dir: string;
let out: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});
beforeEach(async () => {
  server = await startQuoteServer();
  dir = mkdtempSync(join(tmpdir(), "stratlab-costs-cli-"));
  out = join(dir, "costs.json");
  writeFileSync(out, OLD_CACHE);
});
afterEach(() => server.close());

const fetchArgs = (extra: string[] = []) => ["costs", "fetch", "--source", "http", "--url", server.url, "--impact-path", "data.priceImpact", "--gas", "1.5", "--step", "1000", "--end", "16000", "--parallel", "2", "--pause", "20ms", "--retries", "1", "--out", out, ...extra];

/** Every byte under `dir` and the process output, for the secret checks. */
function everything(...outputs: string[]): string {
  return [...outputs, ...readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8"))].join("\n");
}

function answersIn(partial: string): number[] {
  if (!existsSync(partial)) return [];
  return readFileSync(partial, "utf8").split("\n").slice(1).filter((l) => l.startsWith("{")).map((l) => (JSON.parse(l) as { size: number }).size);
}

describe("stratlab costs fetch", () => {
  it("kill -9 mid-fetch, then the same command resumes without asking the finished sizes again", async () => {
    // Sizes up to 8000 answer quickly; from 9000 on the server holds its answers, so the kill
    // lands mid-fetch (requests in flight) however loaded the machine is.
    server.delayMs = 20;
    for (let s = 9000; s <= 16000; s += 1000) server.plan.set(s, [{ delayMs: 5000 }]);
    const partial = `${out}.partial`;
    const child = spawn(process.execPath, [CLI, ...fetchArgs()], { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on("exit", (_c, signal) => res(signal)));
    while (answersIn(partial).length < 8 || !server.asked.includes(9000)) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const finished = answersIn(partial);
    expect(finished).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
    expect(readFileSync(out, "utf8")).toBe(OLD_CACHE);

    server.delayMs = 0;
    server.plan.clear();
    server.asked.length = 0;
    const r = await runCli(fetchArgs(["--json"]));
    expect(r.code, r.stderr).toBe(0);
    expect(server.asked.filter((s) => finished.includes(s))).toEqual([]);
    expect([...finished, ...server.asked].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, k) => (k + 1) * 1000));
    const doc = JSON.parse(r.stdout) as { reused: number; fetched: number };
    expect(doc).toMatchObject({ reused: finished.length, fetched: 16 - finished.length });
    const table = JSON.parse(readFileSync(out, "utf8")) as { buckets: { size: number; impact: number }[]; meta: Record<string, unknown> };
    expect(table.buckets.map((b) => b.impact)).toEqual(table.buckets.map((b) => impactOf(b.size)));
    expect(table.meta.sizes).toBe(16);
    expect(existsSync(partial)).toBe(false);
  });

  it("a secret header reaches the server and nothing else: not the output, the error line, the side file or the cache", async () => {
    const env = { QUOTE_KEY: SECRET };
    const headerArgs = ["--header", "x-api-key: $QUOTE_KEY", "--header", "authorization: Bearer ${QUOTE_KEY}"];
    // A server that echoes the key in a broken answer: the error line quotes the answer.
    server.plan.set(3000, [{ body: `{"error": "bad key ${SECRET}"` }]);
    const failed = await runCli(fetchArgs(headerArgs), { env });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("size 3000: the answer is not JSON");
    expect(failed.stderr).toContain("***");
    const withJson = await runCli(fetchArgs([...headerArgs, "--json"]), { env });
    expect(withJson.code).toBe(0);
    expect(server.headers.every((h) => h["x-api-key"] === SECRET && h.authorization === `Bearer ${SECRET}`)).toBe(true);
    const meta = (JSON.parse(readFileSync(out, "utf8")) as { meta: Record<string, unknown> }).meta;
    expect(meta.headers).toEqual(["x-api-key", "authorization"]);
    expect(everything(failed.stdout, failed.stderr, withJson.stdout, withJson.stderr)).not.toContain(SECRET);
    // An unset variable is named, not guessed at.
    const unset = await runCli(fetchArgs(headerArgs), { env: { QUOTE_KEY: "" } });
    expect(unset.stderr.trim()).toBe("UsageError: --header x-api-key: the environment variable QUOTE_KEY is not set");
  });

  it("failures exit 2 with one line saying what failed and how to resume; the old cache stays byte for byte", async () => {
    server.plan.set(5000, Array(4).fill({ status: 503, body: "" }));
    const r = await runCli(fetchArgs(["--json"]));
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const error = (JSON.parse(lines[0]!) as { error: string }).error;
    expect(error).toMatch(/^FetchError: size 5000: HTTP 503 after 1 retry; \d+ of 16 answers kept in .*costs\.json\.partial; the old cost table is unchanged; run the same command again to resume$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(out, "utf8")).toBe(OLD_CACHE);

    for (const bad of [["--step", "0"], ["--url", "http://127.0.0.1:1/no-size"], ["--pause", "soon"]]) {
      const u = await runCli(fetchArgs(bad));
      expect(u.code, bad.join(" ")).toBe(2);
      expect(u.stderr.trim().split("\n"), bad.join(" ")).toHaveLength(1);
      expect(readFileSync(out, "utf8")).toBe(OLD_CACHE);
    }
  });
});

describe("stratlab costs show", () => {
  it("the bundled table: NOT fetched data, its buckets, and the cost of 1k, 10k and 100k swaps", async () => {
    const r = await runCli(["costs", "show"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/swap_cost_cache\.json: NOT fetched data \(illustrative/);
    const j = await runCli(["costs", "show", "--json", "--sizes", "1000,2000000"]);
    const doc = JSON.parse(j.stdout) as { origin: { fetched: boolean }; examples: { size: number; above_largest_bucket: boolean }[] };
    expect(doc.origin.fetched).toBe(false);
    expect(doc.examples.map((e) => [e.size, e.above_largest_bucket])).toEqual([[1000, false], [2000000, true]]);
  });
});

describe("a missing cost table", () => {
  it("evaluate says in one line how to fetch it; with STRATLAB_COST_SOURCE it is fetched, then used", async () => {
    const data = join(dir, "bars.csv");
    writeBarsCsv(generateBars({ days: 3, seed: 5 }), data);
    const missing = join(dir, "missing.json");
    const args = ["evaluate", "--strategy", "sma_cross", "--params", '{"fast":5,"slow":20}', "--data", data, "--costs", missing, "--json"];
    const none = await runCli(args, { env: { STRATLAB_COST_SOURCE: "" } });
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split("\n")).toHaveLength(1);
    expect(none.stderr).toContain(`${missing}: no cost table`);
    expect(none.stderr).toContain("stratlab costs fetch");

    const source = { source: "http", url: server.url, "impact-path": "data.priceImpact", "gas-path": "data.gas", step: 5000, end: 20000, pause: "0s" };
    const fetched = await runCli(args, { env: { STRATLAB_COST_SOURCE: JSON.stringify(source) } });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stderr).toContain("does not exist: fetching it from the source in STRATLAB_COST_SOURCE");
    expect(server.asked.sort((a, b) => a - b)).toEqual([5000, 10000, 15000, 20000]);
    const table = JSON.parse(readFileSync(missing, "utf8")) as { gas: number; meta: { kind: string } };
    expect(table).toMatchObject({ gas: 2, meta: { kind: "fetched" } });
    expect((JSON.parse(fetched.stdout) as { results: { trade_size: number }[] }).results[0]!.trade_size).toBe(10000);
  });
});
