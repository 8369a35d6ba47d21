/**
 * What a fetch is asked (options from the command line or a configured source, one-line
 * refusals), secrets kept out of lines, the side file (a torn last line dropped, other
 * settings refused), and what `costs show` says about where a table came from.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeCostTable } from "../../lib/costs/describe";
import { loadCostTable } from "../../lib/costs/load";
import { configuredSource } from "../../lib/costs/fetch/fallback";
import { openPartial } from "../../lib/costs/fetch/partial";
import { expandTemplate, fetchIdentity, parseFetchSpec, redact, resolveHeaders, type OptionRecord } from "../../lib/costs/fetch/spec";
import { CostError, UsageError } from "../../lib/errors";
import { DEFAULT_COSTS } from "../../lib/paths";

const dir = mkdtempSync(join(tmpdir(), "stratlab-fetch-spec-"));
const http: OptionRecord = { source: "http", url: "https://q.example/v1/{base}-{quote}?amount={size}", pair: "BTC/USDC", "impact-path": "data.impact", gas: "1.5", step: "1000", end: "5000" };

function usage(o: OptionRecord): string {
  try {
    parseFetchSpec(o);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error("no UsageError");
}

describe("fetch options", () => {
  it("defaults: 8 in parallel, 60 s pause, 10 s timeout, 5 retries", () => {
    const s = parseFetchSpec(http);
    expect(s).toMatchObject({ parallel: 8, pauseMs: 60_000, timeoutMs: 10_000, retries: 5, sizes: [1000, 2000, 3000, 4000, 5000], gas: 1.5 });
    expect(parseFetchSpec({ ...http, pause: "500ms", timeout: "2" })).toMatchObject({ pauseMs: 500, timeoutMs: 2000 });
  });
  it("fills the template, URL-encoded", () => {
    expect(expandTemplate(http.url as string, 2500, { base: "BTC", quote: "US D" })).toBe("https://q.example/v1/BTC-US%20D?amount=2500");
  });
  it("refuses bad options in one line naming the option", () => {
    expect(usage({ ...http, source: "ftp" })).toMatch(/^--source must be http or amm/);
    expect(usage({ ...http, url: "https://q.example/v1" })).toMatch(/--url must hold \{size\}/);
    expect(usage({ ...http, url: "https://q.example/{amount}" })).toMatch(/unknown placeholder \{amount\}/);
    expect(usage({ ...http, pair: undefined })).toMatch(/uses \{base\}: give --pair/);
    expect(usage({ ...http, "impact-path": "data..x" })).toMatch(/dotted path/);
    expect(usage({ ...http, gas: undefined })).toMatch(/--gas N .* or --gas-path/);
    expect(usage({ ...http, parallel: "0" })).toMatch(/--parallel "0" must be an integer from 1 to 64/);
    expect(usage({ ...http, pause: "a while" })).toMatch(/--pause "a while" must be a duration/);
    expect(usage({ ...http, "impact-unit": "ratio" })).toMatch(/--impact-unit "ratio" must be one of fraction, percent, bps/);
    expect(usage({ source: "amm", gas: 1, step: 1, end: 2, "reserve-quote": 1e6 })).toMatch(/--reserve-quote R and --fee F/);
    expect(usage({ source: "amm", gas: 1, step: 1, end: 2, "reserve-quote": 1e6, fee: 1 })).toMatch(/--fee "1" must be a fraction in \[0, 1\)/);
    expect(usage({ ...http, header: "no colon" })).toMatch(/'Name: value'/);
  });
  it("headers: $VAR and ${VAR} from the environment; the secrets are redacted from any line", () => {
    const spec = parseFetchSpec({ ...http, header: ["x-key: $K", "authorization: Bearer ${T}"] });
    expect(spec.headers.map((h) => h.vars)).toEqual([["K"], ["T"]]);
    const { headers, secrets } = resolveHeaders(spec.headers, { K: "abc123", T: "tok-9" });
    expect(headers).toEqual({ "x-key": "abc123", authorization: "Bearer tok-9" });
    expect(redact("got abc123 and Bearer tok-9", secrets)).toBe("got *** and Bearer ***");
    expect(() => resolveHeaders(spec.headers, { K: "abc123" })).toThrow("--header authorization: the environment variable T is not set");
    // The identity a resume is checked against names variables, never their values.
    expect(JSON.stringify(fetchIdentity(spec))).not.toContain("abc123");
  });
});

describe("the side file", () => {
  const identity = fetchIdentity(parseFetchSpec(http));
  it("keeps whole answers, drops a torn last line, and appends after it", () => {
    const path = join(dir, "torn.partial");
    const p = openPartial(path, identity);
    p.append({ size: 1000, impact: 0.001, attempts: 1 });
    p.append({ size: 2000, impact: 0.002, attempts: 2 });
    p.close();
    appendFileSync(path, '{"size":3000,"imp');
    const again = openPartial(path, identity);
    expect([...again.answers.keys()]).toEqual([1000, 2000]);
    expect(again.resumed).toBe(true);
    again.append({ size: 3000, impact: 0.003, attempts: 1 });
    again.close();
    expect(readFileSync(path, "utf8").split("\n").slice(1)).toEqual(['{"size":1000,"impact":0.001,"attempts":1}', '{"size":2000,"impact":0.002,"attempts":2}', '{"size":3000,"impact":0.003,"attempts":1}', ""]);
  });
  it("refuses a partial fetch made with other settings, naming the difference", () => {
    const path = join(dir, "other.partial");
    openPartial(path, identity).close();
    const other = fetchIdentity(parseFetchSpec({ ...http, step: "500" }));
    expect(() => openPartial(path, other)).toThrow(CostError);
    expect(() => openPartial(path, other)).toThrow(/other settings \(step 1000 there, 500 here\)/);
  });
});

describe("a configured source", () => {
  it("STRATLAB_COST_SOURCE (JSON or a file) wins over stratlab.config.json; unknown keys refused", () => {
    const root = mkdtempSync(join(dir, "root-"));
    expect(configuredSource({}, root)).toBeUndefined();
    writeFileSync(join(root, "stratlab.config.json"), JSON.stringify({ costs: { source: "amm", "reserve-quote": 1e7, fee: 0.003, gas: 1, step: 1000, end: 2000 } }));
    expect(configuredSource({}, root)?.options.source).toBe("amm");
    expect(configuredSource({ STRATLAB_COST_SOURCE: JSON.stringify(http) }, root)?.options.source).toBe("http");
    const file = join(dir, "source.json");
    writeFileSync(file, JSON.stringify(http));
    expect(configuredSource({ STRATLAB_COST_SOURCE: file }, root)?.from).toBe(`STRATLAB_COST_SOURCE=${file}`);
    expect(() => configuredSource({ STRATLAB_COST_SOURCE: '{"source":"amm","stepp":1}' }, root)).toThrow(/unknown cost source option "stepp"/);
  });
});

describe("where a table came from", () => {
  it("the shipped table is not presented as fetched data", () => {
    const table = loadCostTable(DEFAULT_COSTS);
    expect(table.meta?.kind).toMatch(/illustrative, not fetched/);
    const d = describeCostTable(table);
    expect(d.origin.fetched).toBe(false);
    expect(d.origin.summary).toMatch(/^NOT fetched data/);
    expect(d.examples.map((e) => e.size)).toEqual([1000, 10000, 100000]);
    const e = d.examples[1]!;
    expect(e.cost).toBeCloseTo(10000 * e.impact + table.gas, 12);
  });
});
