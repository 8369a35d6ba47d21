/**
 * The operations service (`stratlab serve`): `GET /operations` latency over loopback HTTP with
 * 1,000 operations recorded (p50, p99 of 200 sequential requests after 20 untimed ones), and a
 * backtest of the default data through the server (POST, then the events stream to its end)
 * against the same backtest from the CLI (a process of its own): medians of 3, wall time, and
 * their ratio, the server's overhead (worker process start, HTTP, events).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { newOperationId, OPERATIONS_FILE, type OperationRecord, type OperationsFile } from "../lib/checkpoint";
import { writeFileAtomic } from "../lib/io/atomic";
import { DIST_DIR } from "../lib/paths";
import { connect, startService } from "../lib/serve";
import { median, quantile, round } from "./measure";
import type { BenchContext, Section, SectionOutput } from "./section";

const OPERATIONS = 1_000;
const REQUESTS = 200;
const RUNS = 3;
const BACKTEST = { strategy: "sma_cross", params: { fast: 50, slow: 400 } };

/** 1,000 finished operations, as many backtests, trainings and optimisations have left them. */
function recordOperations(root: string): void {
  const types = ["backtesting", "training", "optimisation"] as const;
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const operations: OperationRecord[] = [];
  for (let i = 0; i < OPERATIONS; i++) {
    const at = new Date(t0 + i * 60_000).toISOString();
    const type = types[i % 3]!;
    operations.push({ id: newOperationId(type, new Date(t0 + i * 60_000)) + `-${i}`, type, status: i % 10 === 0 ? "cancelled" : "completed", request: { strategy: "sma_cross", params: { fast: 20, slow: 100 }, data: { path: "/data/bars.csv", sha256: "0".repeat(64), bars: 210_240 } }, createdAt: at, updatedAt: at, pid: 1, host: "bench" });
  }
  writeFileAtomic(join(root, OPERATIONS_FILE), JSON.stringify({ format: "stratlab-operations", version: 1, operations } satisfies OperationsFile));
}

async function listLatency(ctx: BenchContext) {
  const dir = ctx.tempDir("serve-list");
  recordOperations(join(dir, "checkpoints"));
  const s = await startService({ port: 0, workers: 1, root: join(dir, "checkpoints"), runs: join(dir, "runs") });
  try {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 20 + REQUESTS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${s.url}/operations`);
      const body = await res.text();
      if (i >= 20) times.push(performance.now() - t0);
      bytes = body.length;
    }
    const count = (JSON.parse(await (await fetch(`${s.url}/operations`)).text()) as { operations: unknown[] }).operations.length;
    if (count !== OPERATIONS) throw new Error(`GET /operations listed ${count} operations, expected ${OPERATIONS}`);
    return { operations: OPERATIONS, requests: REQUESTS, p50_ms: round(quantile(times, 0.5), 2), p99_ms: round(quantile(times, 0.99), 2), response_kb: round(bytes / 1024, 1) };
  } finally {
    await s.close();
  }
}

async function overhead(ctx: BenchContext) {
  const dir = ctx.tempDir("serve-backtest");
  const s = await startService({ port: 0, workers: 1, root: join(dir, "server"), runs: join(dir, "runs") });
  const svc = connect(s.url);
  const server: number[] = [];
  const cli: number[] = [];
  let bars = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      ctx.progress(`service: backtest ${i + 1}/${RUNS} through the server`);
      const t0 = performance.now();
      const op = await svc.start({ type: "backtest", ...BACKTEST, data: ctx.dataPath, costs: ctx.costsPath });
      const done = await svc.watch(op.id, { progress: false });
      server.push(performance.now() - t0);
      if (done.status !== "completed") throw new Error(`the backtest through the server ended ${done.status}: ${done.error}`);
      bars = done.progress?.total ?? 0;
      ctx.progress(`service: backtest ${i + 1}/${RUNS} from the CLI`);
      const t1 = performance.now();
      const r = spawnSync(process.execPath, [join(DIST_DIR, "lib", "cli", "main.js"), "backtest", "--strategy", BACKTEST.strategy, "--params", JSON.stringify(BACKTEST.params), "--data", ctx.dataPath, "--costs", ctx.costsPath, "--root", join(dir, `cli-${i}`), "--json"], { encoding: "utf8" });
      cli.push(performance.now() - t1);
      if (r.status !== 0) throw new Error(`stratlab backtest exited ${r.status}: ${r.stderr}`);
    }
  } finally {
    await s.close();
  }
  const sv = median(server);
  const cl = median(cli);
  return { bars, server_ms: round(sv, 0), cli_ms: round(cl, 0), ratio: round(sv / cl, 2) };
}

export const serviceSection: Section = {
  name: "service",
  title: "The operations service: listing latency and the cost of running through the server",
  async run(ctx): Promise<SectionOutput> {
    ctx.progress("service: GET /operations with 1,000 operations");
    const list = await listLatency(ctx);
    const bt = await overhead(ctx);
    return {
      tables: [
        {
          title: "GET /operations over loopback HTTP",
          columns: ["operations", "requests", "p50 ms", "p99 ms", "response KB"],
          rows: [[list.operations, list.requests, list.p50_ms, list.p99_ms, list.response_kb]],
          notes: ["sequential requests from one client after 20 untimed ones; each lists every operation (registry, queue, runs)"],
        },
        {
          title: "A backtest through the server vs the CLI (median of 3, wall)",
          columns: ["bars", "server ms", "CLI ms", "server / CLI"],
          rows: [[bt.bars, bt.server_ms, bt.cli_ms, bt.ratio]],
          notes: ["server: POST /operations to the end event (a worker process is forked per operation); CLI: the whole `stratlab backtest --json` process"],
        },
      ],
      figures: { list_operations: list, backtest_overhead: bt },
    };
  },
};
