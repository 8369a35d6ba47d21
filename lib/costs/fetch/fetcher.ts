/**
 * The fetch itself (the shell around spec/plan/answer/amm): batches of `parallel` requests
 * through a p-queue (never more in flight), a pause between batches, retries with back-off
 * on 429/5xx/timeouts, every answer kept in the side file as it arrives, and the cache
 * written atomically at the end. Any failure leaves the old cache as it was and throws one
 * FetchError line saying what failed and how to resume; no line carries a secret.
 * Time (pauses, back-off) goes through an injectable clock, so tests need not wait.
 */
import PQueue from "p-queue";
import { LockFile } from "../../checkpoint/store/lock-file";
import { CostError, FetchError, StratlabError } from "../../errors";
import type { CostTableJson } from "../cost-table";
import { ammImpact, checkPool } from "./amm";
import { describeBreaks, monotoneBreaks, numberAt, readAnswer, type Answer, type MonotoneBreak } from "./answer";
import { backoffMs } from "./backoff";
import { buildCostTable, writeCostTable } from "./cache";
import { getJson } from "./http";
import { openPartial, partialPath, type PartialFetch } from "./partial";
import { batches, etaMs } from "./plan";
import { expandTemplate, fetchIdentity, redact, resolveHeaders, type FetchSpec, type HttpSourceSpec } from "./spec";

export interface FetchClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: FetchClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
};

/** A server asking to wait longer than this stops the fetch (resume later) rather than hang it. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface FetchProgress {
  done: number;
  total: number;
  requests: number;
  retries: number;
  /** Answers per second of wall (clock) time, pauses included. */
  rate: number;
  etaMs: number;
  batch: number;
  batches: number;
  /** Set while pausing between batches. */
  pauseLeftMs?: number;
}

export interface FetchHooks {
  clock?: FetchClock;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
  /** Where header secrets are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  onProgress?: (p: FetchProgress) => void;
  onLog?: (line: string) => void;
}

export interface FetchOutcome {
  out: string;
  table: CostTableJson;
  /** Answers fetched by this call, and those taken from the side file of an earlier one. */
  fetched: number;
  reused: number;
  requests: number;
  retries: number;
  breaks: MonotoneBreak[];
}

interface Ctx {
  spec: FetchSpec;
  headers: Record<string, string>;
  clock: FetchClock;
  random: () => number;
  counts: { requests: number; retries: number };
}

class RequestFailed extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** GET `url` until it answers, retrying what may pass (429, 5xx, timeouts) with back-off. */
async function requestWithRetries(url: string, c: Ctx): Promise<{ doc: unknown; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    c.counts.requests++;
    const r = await getJson(url, c.headers, c.spec.timeoutMs, c.clock.now);
    if (r.ok) return { doc: r.doc, attempts: attempt };
    if (!r.retryable) throw new RequestFailed(r.reason);
    if (attempt > c.spec.retries) throw new RequestFailed(`${r.reason} after ${c.spec.retries} ${c.spec.retries === 1 ? "retry" : "retries"}`);
    if (r.retryAfterMs !== undefined && r.retryAfterMs > MAX_RETRY_AFTER_MS) throw new RequestFailed(`${r.reason}; the source asks to wait ${Math.round(r.retryAfterMs / 1000)} s (Retry-After)`);
    c.counts.retries++;
    await c.clock.sleep(backoffMs(attempt - 1, c.random(), r.retryAfterMs));
  }
}

async function fetchAnswer(size: number, source: HttpSourceSpec, c: Ctx): Promise<Answer> {
  const { doc, attempts } = await requestWithRetries(expandTemplate(source.url, size, c.spec.pair), c);
  const a = readAnswer(doc, size, source, attempts);
  if (typeof a === "string") throw new RequestFailed(a);
  return a;
}

function failLine(what: string, kept: number, total: number, side: string | undefined, secrets: readonly string[]): FetchError {
  const keptPart = side !== undefined ? `; ${kept} of ${total} answers kept in ${side}` : "";
  return new FetchError(redact(`${what}${keptPart}; the old cost table is unchanged; run the same command again to resume`, secrets));
}

/** Fetch every size of `spec` (resuming `out`'s side file) and write the cost table to `out`. */
export async function fetchCosts(spec: FetchSpec, out: string, hooks: FetchHooks = {}): Promise<FetchOutcome> {
  const { headers, secrets } = resolveHeaders(spec.headers, hooks.env ?? process.env);
  const c: Ctx = { spec, headers, clock: hooks.clock ?? REAL_CLOCK, random: hooks.random ?? Math.random, counts: { requests: 0, retries: 0 } };
  try {
    return spec.source.kind === "http" ? await fetchHttp(spec, spec.source, out, c, hooks, secrets) : await fetchAmm(spec, out, c, hooks);
  } catch (e) {
    if (e instanceof StratlabError) throw e;
    if (e instanceof RequestFailed) throw failLine(e.reason, 0, spec.sizes.length, undefined, secrets);
    throw new FetchError(redact(`costs fetch failed: ${(e as Error).message ?? e}; the old cost table is unchanged; run the same command again to resume`, secrets));
  }
}

async function fetchHttp(spec: FetchSpec, source: HttpSourceSpec, out: string, c: Ctx, hooks: FetchHooks, secrets: string[]): Promise<FetchOutcome> {
  // One fetch at a time per table: two would append to one side file (a killed holder's lock is stale and taken over).
  const lock = LockFile.tryAcquire(`${partialPath(out)}.lock`, `costs fetch ${out}`);
  if (!(lock instanceof LockFile)) {
    const by = lock.heldBy ? ` (pid ${lock.heldBy.pid} on ${lock.heldBy.host}, since ${lock.heldBy.acquiredAt})` : "";
    throw new CostError(`another costs fetch${by} is writing ${out}; wait for it to finish, or stop it and run this command again`);
  }
  try {
    return await fetchHttpLocked(spec, source, out, c, hooks, secrets);
  } finally {
    lock.release();
  }
}

async function fetchHttpLocked(spec: FetchSpec, source: HttpSourceSpec, out: string, c: Ctx, hooks: FetchHooks, secrets: string[]): Promise<FetchOutcome> {
  const partial: PartialFetch = openPartial(partialPath(out), fetchIdentity(spec));
  const reused = partial.answers.size;
  const total = spec.sizes.length;
  if (partial.resumed) hooks.onLog?.(`resuming from ${partial.path}: ${reused} of ${total} sizes already fetched`);
  const todo = spec.sizes.filter((s) => !partial.answers.has(s));
  const plan = batches(todo, spec.parallel);
  const queue = new PQueue({ concurrency: spec.parallel });
  const started = c.clock.now();
  let batchMs = 0;
  let done = reused;
  const progress = (batch: number, pauseLeftMs?: number) => {
    const elapsed = c.clock.now() - started;
    const msPerBatch = batch > 0 ? batchMs / batch : undefined;
    hooks.onProgress?.({
      done,
      total,
      requests: c.counts.requests,
      retries: c.counts.retries,
      rate: elapsed > 0 ? ((done - reused) * 1000) / elapsed : 0,
      etaMs: etaMs({ remaining: total - done, parallel: spec.parallel, pauseMs: spec.pauseMs, msPerBatch, ...(pauseLeftMs !== undefined ? { pauseLeftMs } : {}) }),
      batch,
      batches: plan.length,
      ...(pauseLeftMs !== undefined ? { pauseLeftMs } : {}),
    });
  };
  try {
    for (let b = 0; b < plan.length; b++) {
      if (b > 0 && spec.pauseMs > 0) {
        progress(b, spec.pauseMs);
        await c.clock.sleep(spec.pauseMs);
      }
      const t0 = c.clock.now();
      const settled = await Promise.allSettled(
        plan[b]!.map((size) =>
          queue.add(async () => {
            const a = await fetchAnswer(size, source, c);
            partial.append(a);
            done++;
            progress(b);
          }),
        ),
      );
      batchMs += c.clock.now() - t0;
      const failed = settled.findIndex((s) => s.status === "rejected");
      if (failed >= 0) {
        const err = (settled[failed] as PromiseRejectedResult).reason as Error;
        throw failLine(`size ${plan[b]![failed]}: ${err.message}`, partial.answers.size, total, partial.path, secrets);
      }
    }
    const answers = spec.sizes.map((s) => partial.answers.get(s)!);
    const breaks = monotoneBreaks(answers);
    if (breaks.length && !spec.allowNonMonotone) {
      throw new FetchError(`${describeBreaks(breaks)}; the old cost table is unchanged; the answers are kept in ${partial.path}: run the same command with --allow-non-monotone to accept them, or delete that file to fetch again`);
    }
    const table = buildCostTable({ spec, answers, breaks, fetchedAt: new Date() });
    writeCostTable(out, table);
    partial.remove();
    return { out, table, fetched: total - reused, reused, requests: c.counts.requests, retries: c.counts.retries, breaks };
  } finally {
    partial.close();
  }
}

async function fetchAmm(spec: FetchSpec, out: string, c: Ctx, hooks: FetchHooks): Promise<FetchOutcome> {
  const src = spec.source;
  if (src.kind !== "amm") throw new Error("fetchAmm needs an amm source");
  let reserveQuote = src.reserveQuote;
  let fee = src.fee;
  let attempts = 0;
  if (src.url !== undefined) {
    const url = expandTemplate(src.url, undefined, spec.pair);
    const r = await requestWithRetries(url, c);
    attempts = r.attempts;
    const read = (path: string | undefined, given: number | undefined): number => {
      if (path === undefined) return given!;
      const x = numberAt(r.doc, path);
      if (typeof x === "string") throw new RequestFailed(`pool endpoint: ${x}`);
      return x;
    };
    reserveQuote = read(src.reserveQuotePath, reserveQuote);
    fee = read(src.feePath, fee);
    hooks.onLog?.(`pool: quote reserve ${reserveQuote}, fee ${fee}`);
  }
  const bad = checkPool(reserveQuote!, fee!);
  if (bad) throw new RequestFailed(`pool endpoint: ${bad}`);
  const answers: Answer[] = spec.sizes.map((size) => ({ size, impact: ammImpact(size, reserveQuote!, fee!), attempts: 0 }));
  const breaks = monotoneBreaks(answers);
  const table = buildCostTable({ spec, answers, breaks, pool: { reserveQuote: reserveQuote!, fee: fee! }, extraRequests: attempts, extraRetries: Math.max(0, attempts - 1), fetchedAt: new Date() });
  writeCostTable(out, table);
  return { out, table, fetched: answers.length, reused: 0, requests: c.counts.requests, retries: c.counts.retries, breaks };
}
