/**
 * fetchCosts against a real HTTP quote server on loopback, with an injected clock (pauses and
 * back-off are recorded, not waited): never more than --parallel in flight, a pause between
 * batches, retries on 429 (Retry-After), 503 and a timeout; malformed JSON, a missing field
 * and a non-monotone answer fail with one line and leave the old cache byte for byte.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCostTable } from "../../lib/costs/load";
import { ammImpact, fetchCosts, parseFetchSpec, partialPath, type FetchClock, type OptionRecord } from "../../lib/costs/fetch";
import { FetchError } from "../../lib/errors";
import { impactOf, startQuoteServer, type QuoteServer } from "./quote-server";

const OLD_CACHE = JSON.stringify({ gas: 9, buckets: [{ size: 1, impact: 0.5 }], meta: { kind: "the old one" } }, null, 1);

let server: QuoteServer;
let dir: string;
let out: string;

beforeEach(async () => {
  server = await startQuoteServer();
  dir = mkdtempSync(join(tmpdir(), "stratlab-fetch-"));
  out = join(dir, "costs.json");
  writeFileSync(out, OLD_CACHE);
});
afterEach(() => server.close());

/** Sleeps are recorded with how many requests the server had seen, and return at once. */
function fakeClock(): FetchClock & { sleeps: { ms: number; asked: number }[] } {
  let slept = 0;
  const sleeps: { ms: number; asked: number }[] = [];
  return {
    sleeps,
    now: () => Date.now() + slept,
    sleep: async (ms) => {
      sleeps.push({ ms, asked: server.asked.length });
      slept += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
}

function spec(extra: OptionRecord = {}) {
  return parseFetchSpec({ source: "http", url: server.url, "impact-path": "data.priceImpact", "gas-path": "data.gas", step: 1000, end: 10_000, parallel: 3, pause: "60s", timeout: "2s", retries: 3, ...extra });
}

async function failure(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FetchError);
    const msg = (e as Error).message;
    expect(msg).not.toContain("\n");
    return e as FetchError;
  }
  throw new Error("the fetch did not fail");
}

describe("fetchCosts from a quote server", () => {
  it("asks every size in batches of --parallel, never more in flight, pausing between batches", async () => {
    server.delayMs = 40;
    const clock = fakeClock();
    const progress: number[] = [];
    const r = await fetchCosts(spec(), out, { clock, random: () => 0.5, onProgress: (p) => progress.push(p.etaMs) });
    expect(server.maxInFlight).toBe(3);
    expect([...server.asked].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => k * 1000));
    // 10 sizes, 3 at a time: 4 batches, a 60 s pause before each but the first, after 3, 6, 9 requests.
    expect(clock.sleeps).toEqual([
      { ms: 60_000, asked: 3 },
      { ms: 60_000, asked: 6 },
      { ms: 60_000, asked: 9 },
    ]);
    const t = loadCostTable(out);
    expect(Array.from(t.sizes)).toEqual(server.asked.slice().sort((a, b) => a - b));
    expect(Array.from(t.impacts)).toEqual(Array.from(t.sizes, impactOf));
    expect(t.gas).toBe(2);
    expect(t.meta).toMatchObject({ kind: "fetched", source: "http", url: server.url, step: 1000, end: 10_000, sizes: 10, requests: 10, retries: 0, impact_path: "data.priceImpact" });
    expect(typeof t.meta!.fetched_at).toBe("string");
    expect(r.fetched).toBe(10);
    expect(existsSync(partialPath(out))).toBe(false);
    // The ETA counts the pauses still ahead: after the first batch it is at least 3 x 60 s.
    expect(Math.max(...progress.filter(Number.isFinite))).toBeGreaterThanOrEqual(180_000);
  });

  it("429 with Retry-After: waits what the server asks, then succeeds", async () => {
    server.plan.set(2000, [{ status: 429, retryAfter: "7" }]);
    const clock = fakeClock();
    await fetchCosts(spec({ end: 3000, pause: "0s" }), out, { clock, random: () => 0 });
    expect(clock.sleeps.map((s) => s.ms)).toEqual([7000]);
    expect(server.asked.filter((s) => s === 2000)).toHaveLength(2);
    expect(loadCostTable(out).meta).toMatchObject({ requests: 4, retries: 1 });
  });

  it("503: exponential back-off with jitter, then succeeds", async () => {
    server.plan.set(1000, [{ status: 503 }, { status: 503 }, { status: 502 }]);
    const clock = fakeClock();
    await fetchCosts(spec({ end: 1000 }), out, { clock, random: () => 0 });
    // base 500 ms doubling, jitter factor 0.5 at random 0.
    expect(clock.sleeps.map((s) => s.ms)).toEqual([250, 500, 1000]);
    expect(loadCostTable(out).meta).toMatchObject({ retries: 3 });
  });

  it("a timeout is retried", async () => {
    server.plan.set(1000, [{ delayMs: 1500 }]);
    const began = Date.now();
    await fetchCosts(spec({ end: 1000, timeout: "200ms" }), out, { clock: fakeClock(), random: () => 0 });
    expect(Date.now() - began).toBeLessThan(1400);
    expect(server.asked).toEqual([1000, 1000]);
    expect(loadCostTable(out).meta).toMatchObject({ retries: 1 });
  });

  it("503 past --retries: one line with what failed and how to resume; old cache untouched, answers kept", async () => {
    server.plan.set(2000, Array(5).fill({ status: 503, body: "upstream down" }));
    const e = await failure(fetchCosts(spec({ end: 3000, retries: 2 }), out, { clock: fakeClock(), random: () => 0 }));
    expect(e.message).toBe(`size 2000: HTTP 503 "upstream down" after 2 retries; 2 of 3 answers kept in ${partialPath(out)}; the old cost table is unchanged; run the same command again to resume`);
    expect(readFileSync(out, "utf8")).toBe(OLD_CACHE);
    // The same fetch again asks only for the missing size.
    server.asked.length = 0;
    server.plan.clear();
    await fetchCosts(spec({ end: 3000 }), out, { clock: fakeClock() });
    expect(server.asked).toEqual([2000]);
    expect(loadCostTable(out).sizes.length).toBe(3);
  });

  it("malformed JSON fails at once (no retry)", async () => {
    server.plan.set(1000, [{ body: "<html>rate limited</html>" }]);
    const e = await failure(fetchCosts(spec({ end: 1000 }), out, { clock: fakeClock() }));
    expect(e.message).toContain('size 1000: the answer is not JSON: "<html>rate limited</html>"');
    expect(server.asked).toEqual([1000]);
    expect(readFileSync(out, "utf8")).toBe(OLD_CACHE);
  });

  it("a missing field, and an impact out of range, name the size and the field", async () => {
    server.plan.set(1000, [{ body: JSON.stringify({ data: { gas: 2 } }) }]);
    let e = await failure(fetchCosts(spec({ end: 1000 }), out, { clock: fakeClock() }));
    expect(e.message).toContain('size 1000: the answer has no field "data.priceImpact"');
    server.plan.set(1000, [{ body: JSON.stringify({ data: { priceImpact: 1.5, gas: 2 } }) }]);
    e = await failure(fetchCosts(spec({ end: 1000 }), out, { clock: fakeClock() }));
    expect(e.message).toContain("impact 1.5");
    server.plan.set(1000, [{ body: JSON.stringify({ data: { priceImpact: "0.2", gas: -1 } }) }]);
    e = await failure(fetchCosts(spec({ end: 1000 }), out, { clock: fakeClock() }));
    expect(e.message).toContain('gas -1 at "data.gas" is negative');
    expect(readFileSync(out, "utf8")).toBe(OLD_CACHE);
  });

  it("a non-monotone answer fails naming the sizes; --allow-non-monotone accepts it without asking again", async () => {
    server.impact = (size) => (size === 3000 ? 0.0001 : impactOf(size));
    const e = await failure(fetchCosts(spec({ end: 4000 }), out, { clock: fakeClock() }));
    expect(e.message).toMatch(/^impact decreases with size: 2000 -> 0\.00052, 3000 -> 0\.0001; the old cost table is unchanged/);
    expect(e.message).toContain("--allow-non-monotone");
    expect(readFileSync(out, "utf8")).toBe(OLD_CACHE);
    const asked = server.asked.length;
    await fetchCosts(spec({ end: 4000, "allow-non-monotone": true }), out, { clock: fakeClock() });
    expect(server.asked.length).toBe(asked);
    expect(loadCostTable(out).meta).toMatchObject({ non_monotone: [[2000, 3000]] });
  });

  it("amm: the pool read once from an endpoint (same template and header rules), every bucket from the formula", async () => {
    server.plan.set(0, [{ body: JSON.stringify({ pool: { reserve: "30000000", fee: 0.003 } }) }]);
    const amm = parseFetchSpec({ source: "amm", url: server.url.replace("{size}", ""), "reserve-quote-path": "pool.reserve", "fee-path": "pool.fee", gas: 1.5, step: 250_000, end: 1_000_000 });
    await fetchCosts(amm, out, { clock: fakeClock() });
    expect(server.asked).toEqual([0]);
    const t = loadCostTable(out);
    expect(Array.from(t.impacts)).toEqual(Array.from(t.sizes, (n) => ammImpact(n, 30_000_000, 0.003)));
    expect(t.meta).toMatchObject({ kind: "fetched", source: "amm", pool: { reserve_quote: 30_000_000, fee: 0.003 }, requests: 1, retries: 0 });
    // Reserves typed on the command line: computed, not fetched.
    await fetchCosts(parseFetchSpec({ source: "amm", "reserve-quote": 1e6, fee: 0, gas: 0, step: 1000, end: 2000 }), out);
    expect(loadCostTable(out).meta).toMatchObject({ kind: "computed", requests: 0 });
  });
});

describe("one fetch at a time per table", () => {
  it("a second fetch of the same table is refused while the first runs; the lock goes with it", async () => {
    server.delayMs = 200;
    const first = fetchCosts(spec({ end: 2000 }), out, { clock: fakeClock() });
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetchCosts(spec({ end: 2000 }), out, { clock: fakeClock() })).rejects.toThrow(/another costs fetch \(pid \d+ .*\) is writing .*costs\.json; wait for it to finish/);
    await first;
    expect(existsSync(`${partialPath(out)}.lock`)).toBe(false);
    expect(loadCostTable(out).sizes.length).toBe(2);
  });
});
