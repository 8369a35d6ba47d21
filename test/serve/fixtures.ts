/** A service on 127.0.0.1 (random port) over a temp folder with a few thousand generated bars, and HTTP helpers. */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeBarsCsv } from "../../lib/data/csv";
import { generateBars } from "../../lib/data/generate";
import { DEFAULT_COSTS } from "../../lib/paths";
import { startService, WORKER_SCRIPT, type RunningService, type StartOptions } from "../../lib/serve";

export interface ServeLab {
  dir: string;
  data: string;
  costs: string;
  root: string;
  runs: string;
  cleanup(): void;
}

/** 3,456 bars (12 days): a backtest paced at 1 ms per bar takes a few seconds in a worker. */
export function serveLab(days = 12, seed = 5): ServeLab {
  if (!existsSync(WORKER_SCRIPT)) throw new Error(`${WORKER_SCRIPT} is missing: build first (npm run build)`);
  const dir = mkdtempSync(join(tmpdir(), "stratlab-serve-"));
  const data = join(dir, "bars.csv");
  writeBarsCsv(generateBars({ days, seed }), data);
  const costs = join(dir, "costs.json");
  copyFileSync(DEFAULT_COSTS, costs);
  return { dir, data, costs, root: join(dir, "checkpoints"), runs: join(dir, "runs"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** In this process (the operations still run in worker processes), paced so they can be watched. */
export function serve(lab: ServeLab, o: Partial<StartOptions> = {}, paceMs = 1): Promise<RunningService> {
  return startService({ host: "127.0.0.1", port: 0, workers: 2, root: lab.root, runs: lab.runs, workerEnv: { STRATLAB_SERVE_PACE_MS: String(paceMs) }, ...o });
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function http<T = Record<string, unknown>>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T };
}

export interface Op {
  id: string;
  type: string;
  status: string;
  progress: { unit: number; total: number | null } | null;
  latest_checkpoint: { id: string; kind: string; unit: number } | null;
  resumed_from: string | null;
  resumed_by: string | null;
  error: string | null;
  pid: number | null;
  result?: Record<string, unknown> & { periods: Record<string, Record<string, number>> };
  dashboard?: string | null;
  run?: string | null;
}

/** Polls GET /operations/{id} until `until` holds (bounded: throws after `ms`). */
export async function waitFor(base: string, id: string, until: (op: Op) => boolean, ms = 30_000): Promise<Op> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await http<Op>(base, "GET", `/operations/${id}`);
    if (r.status === 200 && until(r.body)) return r.body;
    if (Date.now() > deadline) throw new Error(`operation ${id} did not reach the awaited state in ${ms} ms; last: ${JSON.stringify(r.body).slice(0, 400)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

export const ended = (o: Op) => !["running", "queued"].includes(o.status);

export function backtestBody(lab: ServeLab, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "backtest", strategy: "ema_cross", params: { fast: 12, slow: 48 }, data: lab.data, costs: lab.costs, checkpoint_every: 500, ...extra };
}
