/**
 * The HTTP API over real HTTP on 127.0.0.1 (random port), operations in real worker
 * processes: every endpoint and error code, the events stream, cancel and two concurrent
 * resumes (exactly one 202), results identical to an uninterrupted run, a worker process
 * killed mid-operation, a cleanup during a running operation, optimisation runs as
 * operations with their dashboards, the bearer token, and the CLI talking to the server.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { backtest } from "../../lib/backtest";
import { optimize } from "../../lib/lab/optimize";
import { connect, startService, type RunningService } from "../../lib/serve";
import { CLI, runCli } from "../cli/run-cli";
import { backtestBody, ended, http, serve, serveLab, waitFor, type Op, type ServeLab } from "./fixtures";

let L: ServeLab;
let S: RunningService;
let url: string;
let reference: unknown;

beforeAll(async () => {
  L = serveLab();
  S = await serve(L);
  url = S.url;
  const { data, costs } = L;
  const r = await backtest({ strategy: "ema_cross", params: { fast: 12, slow: 48 }, data, costs }, { root: join(L.dir, "reference"), signals: false });
  reference = JSON.parse(JSON.stringify(r.result));
});
afterAll(async () => {
  await S?.close(5000);
  L?.cleanup();
});

test("rejected requests: 400 naming the field and what is allowed, 404, 413; nothing written", async () => {
  const bad = async (method: string, path: string, body: unknown, status: number, message: RegExp) => {
    const r = await http<{ error: string; status: number }>(url, method, path, body);
    expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
    expect(r.body.error).toMatch(message);
    expect(r.body.error).not.toContain("\n");
  };
  await bad("POST", "/operations", { type: "lottery" }, 400, /body\.type must be one of backtest, training, optimisation/);
  await bad("POST", "/operations", {}, 400, /needs the field "type"/);
  await bad("POST", "/operations", { type: "backtest" }, 400, /needs the field "strategy"/);
  await bad("POST", "/operations", backtestBody(L, { colour: "red" }), 400, /unknown field "colour"/);
  await bad("POST", "/operations", backtestBody(L, { trade_size: -5 }), 400, /body\.trade_size must be > 0/);
  await bad("POST", "/operations", backtestBody(L, { checkpoint_every: 1.5 }), 400, /body\.checkpoint_every must be integer/);
  await bad("POST", "/operations", backtestBody(L, { strategy: "nope" }), 400, /strategy: .*unknown strategy.*sma_cross/i);
  await bad("POST", "/operations", backtestBody(L, { params: { fast: 1 } }), 400, /params: .*fast/);
  await bad("POST", "/operations", backtestBody(L, { data: join(L.dir, "missing.csv") }), 400, /data: .*missing\.csv is not a readable file/);
  await bad("POST", "/operations", { type: "optimisation", strategy: "sma_cross", objective: "mar,luck" }, 400, /objective: "luck" must be one of .*mar/);
  await bad("POST", "/operations", { type: "optimisation", strategy: ["sma_cross"], period: ["2y"] }, 400, /period: "2y" must be one of 30d, 90d, 1y, all/);
  await bad("POST", "/operations", { type: "training", epochs: 0 }, 400, /body\.epochs must be >= 1/);
  await bad("POST", "/operations", "{not json", 400, /json/i);
  await bad("POST", "/operations", { type: "backtest", strategy: "sma_cross", params: { x: "a".repeat(70_000) } }, 413, /over 65536 bytes/);
  await bad("GET", "/operations?status=sleeping", undefined, 400, /querystring\.status must be one of queued, running/);
  await bad("GET", "/operations?colour=red", undefined, 400, /unknown field "colour"/);
  await bad("GET", "/checkpoints?kind=weekly", undefined, 400, /querystring\.kind must be one of periodic, cancellation, final/);
  await bad("GET", "/checkpoints?older_than=soon", undefined, 400, /querystring\.older_than must match pattern/);
  await bad("POST", "/checkpoints/cleanup", {}, 400, /needs the field "max_age"/);
  await bad("POST", "/checkpoints/cleanup", { max_age: "7d", dry: true }, 400, /unknown field "dry"/);
  await bad("GET", "/operations/..%2Fetc", undefined, 400, /params\.id must match pattern/);
  for (const [method, path] of [["GET", "/operations/bt-nope"], ["GET", "/operations/bt-nope/events"], ["POST", "/operations/bt-nope/cancel"], ["POST", "/operations/bt-nope/resume"], ["GET", "/checkpoints/ck-nope"], ["DELETE", "/checkpoints/ck-nope"], ["GET", "/runs/20260101T000000Z-nope/index.html"], ["GET", "/nowhere"]] as const) {
    await bad(method, path, undefined, 404, /no (operation|checkpoint|file|route)/);
  }
  // Nothing was written by any of them.
  expect(existsSync(join(L.root, "operations.json"))).toBe(false);
  expect(existsSync(join(L.root, "serve", "queue.json"))).toBe(false);
  expect(existsSync(L.runs)).toBe(false);
});

test("the OpenAPI document describes every endpoint", async () => {
  const r = await http<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(url, "GET", "/openapi.json");
  expect(r.status).toBe(200);
  expect(r.body.openapi).toMatch(/^3\./);
  expect(Object.keys(r.body.paths).sort()).toEqual(
    ["/checkpoints", "/checkpoints/cleanup", "/checkpoints/{id}", "/operations", "/operations/{id}", "/operations/{id}/cancel", "/operations/{id}/events", "/operations/{id}/resume", "/runs", "/runs/{name}/{*}"].sort(),
  );
  expect(Object.keys(r.body.paths["/checkpoints/{id}"]!).sort()).toEqual(["delete", "get"]);
});

/** Reads the events stream of `id` to its end. */
async function events(id: string): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const res = await fetch(`${url}/operations/${id}/events`);
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((b) => b.startsWith("event: "))
    .map((b) => ({ event: /^event: (.*)$/m.exec(b)![1]!, data: JSON.parse(/^data: (.*)$/m.exec(b)![1]!) as Record<string, unknown> }));
}

test("a backtest: 202 queued, an events stream of progress and checkpoints to its end, the uninterrupted result", async () => {
  const r = await http<Op>(url, "POST", "/operations", backtestBody(L));
  expect(r.status).toBe(202);
  expect(r.body.status).toBe("queued");
  expect(r.body.type).toBe("backtest");
  const stream = await events(r.body.id);
  const progress = stream.filter((e) => e.event === "progress").map((e) => e.data.unit as number);
  expect(progress.length).toBeGreaterThan(3);
  expect(progress.slice(1)).toEqual([...progress.slice(1)].sort((a, b) => a - b));
  expect(stream.filter((e) => e.event === "checkpoint").map((e) => (e.data.checkpoint as { kind: string }).kind)).toContain("periodic");
  const end = stream.at(-1)!;
  expect(end.event).toBe("end");
  expect(end.data.status).toBe("completed");
  const done = await waitFor(url, r.body.id, ended);
  expect(done.result).toEqual(reference);
  expect(done.latest_checkpoint?.kind).toBe("final");
  expect(done.progress).toEqual({ unit: 3456, total: 3456, fraction: 1 });
  // A finished operation's stream is one `end` event.
  expect((await events(r.body.id)).map((e) => e.event)).toEqual(["end"]);
});

test("cancel, cleanup while running, two concurrent resumes (exactly one 202), the same result; checkpoints listed, read, deleted", async () => {
  const { body: op } = await http<Op>(url, "POST", "/operations", backtestBody(L));
  const running = await waitFor(url, op.id, (o) => o.status === "running" && o.latest_checkpoint !== null);
  const ck = running.latest_checkpoint!;
  expect((await http(url, "DELETE", `/checkpoints/${ck.id}`)).status).toBe(409);
  expect((await http(url, "POST", `/operations/${op.id}/resume`)).status).toBe(409);
  // A cleanup during the run skips its checkpoints.
  const clean = await http<{ removed: string[]; skipped: { operation_id: string }[] }>(url, "POST", "/checkpoints/cleanup", { max_age: 0 });
  expect(clean.status).toBe(200);
  expect(clean.body.skipped.map((s) => s.operation_id)).toContain(op.id);
  expect((await http<{ checkpoints: { id: string }[] }>(url, "GET", `/checkpoints?operation=${op.id}`)).body.checkpoints.map((c) => c.id)).toContain(ck.id);

  const cancel = await http<Op>(url, "POST", `/operations/${op.id}/cancel`);
  expect(cancel.status).toBe(202);
  const cancelled = await waitFor(url, op.id, ended);
  expect(cancelled.status).toBe("cancelled");
  expect(cancelled.latest_checkpoint?.kind).toBe("cancellation");
  expect((await http(url, "POST", `/operations/${op.id}/cancel`)).status).toBe(409);

  const listed = await http<{ checkpoints: { id: string; kind: string; operation_status: string; operation_type: string }[] }>(url, "GET", `/checkpoints?operation=${op.id}&kind=cancellation&type=backtest&status=cancelled&older_than=0s`);
  expect(listed.body.checkpoints.map((c) => c.id)).toEqual([cancelled.latest_checkpoint!.id]);
  const one = await http<{ id: string; unit: number; state: { bar: number } }>(url, "GET", `/checkpoints/${cancelled.latest_checkpoint!.id}`);
  expect(one.status).toBe(200);
  expect(one.body.state.bar).toBe(one.body.unit);

  const [a, b] = await Promise.all([http<Op>(url, "POST", `/operations/${op.id}/resume`), http<Op>(url, "POST", `/operations/${op.id}/resume`)]);
  expect([a.status, b.status].sort()).toEqual([202, 409]);
  const next = (a.status === 202 ? a : b).body;
  expect((a.status === 409 ? a : b).body).toMatchObject({ error: expect.stringMatching(/already being resumed/) });
  expect(next.resumed_from).toBe(op.id);
  const done = await waitFor(url, next.id, ended);
  expect(done.status).toBe("completed");
  expect(done.result).toEqual(reference);
  const original = await waitFor(url, op.id, () => true);
  expect(original.resumed_by).toBe(next.id);
  expect((await http(url, "POST", `/operations/${op.id}/resume`)).status).toBe(409);
  expect((await http(url, "POST", `/operations/${next.id}/resume`)).status).toBe(409);

  // Cleanup keeps results (final checkpoints) unless asked.
  const final = done.latest_checkpoint!;
  expect(final.kind).toBe("final");
  const keep = await http<{ removed: string[] }>(url, "POST", "/checkpoints/cleanup", { max_age: "0s" });
  expect(keep.body.removed).not.toContain(final.id);
  const dry = await http<{ removed: string[]; dry_run: boolean }>(url, "POST", "/checkpoints/cleanup", { max_age: 0, include_final: true, dry_run: true });
  expect(dry.body.removed).toContain(final.id);
  expect((await http(url, "GET", `/checkpoints/${final.id}`)).status).toBe(200);
  // A damaged checkpoint is a conflict naming the file, not a crash.
  const stateFile = join(L.root, next.id, final.id, "state.json");
  writeFileSync(stateFile, readFileSync(stateFile, "utf8").replace('"bars_evaluated":', '"bars_evaluatex":'));
  const damaged = await http<{ error: string }>(url, "GET", `/checkpoints/${final.id}`);
  expect(damaged.status).toBe(409);
  expect(damaged.body.error).toMatch(/^CheckpointError: checkpoint .* state file .*state\.json is corrupt/);
  const del = await http(url, "DELETE", `/checkpoints/${final.id}`);
  expect(del.status, JSON.stringify(del.body)).toBe(200);
  expect((await http(url, "DELETE", `/checkpoints/${final.id}`)).status).toBe(404);
});

test("connect(url): start, watch, cancel (stop after bars), checkpoints, resume; errors as ServiceError", async () => {
  const svc = connect(url);
  const op = await svc.start({ ...backtestBody(L), type: "backtest", stop_after_bars: 1200 });
  const seen: string[] = [];
  const stopped = await svc.watch(op.id, { progress: false, onEvent: (e) => seen.push(e) });
  expect(stopped.status).toBe("cancelled");
  expect(seen).toContain("progress");
  expect(seen.at(-1)).toBe("end");
  const cks = await svc.checkpoints({ operation: op.id });
  expect(cks.map((c) => [c.kind, c.unit])).toContainEqual(["cancellation", 1200]);
  const next = await svc.resume(op.id);
  const done = await svc.watch(next.id, { progress: false });
  expect(done.result).toEqual(reference);
  await expect(svc.cancel(done.id)).rejects.toMatchObject({ name: "ServiceError", status: 409 });
  await expect(svc.get("bt-nope")).rejects.toThrow(/no operation "bt-nope".*HTTP 404/);
});

test("training through its adapter: stopped after an epoch, resumed to completion", async () => {
  const svc = connect(url);
  const op = await svc.start({ type: "training", data: L.data, epochs: 3, stop_after_epochs: 1, out: join(L.dir, "model-api") });
  const stopped = await svc.watch(op.id, { progress: false });
  expect(stopped).toMatchObject({ status: "cancelled", latest_checkpoint: { kind: "cancellation", unit: 1 } });
  const done = await svc.watch((await svc.resume(op.id)).id, { progress: false });
  expect(done).toMatchObject({ status: "completed", type: "training", resumed_from: op.id, progress: { unit: 3, total: 3 } });
  expect(done.result).toMatchObject({ epochs: 3 });
});

test("a worker process killed mid-operation: the operation failed or interrupted, the server still answers, and it resumes", async () => {
  const { body: op } = await http<Op>(url, "POST", "/operations", backtestBody(L));
  const running = await waitFor(url, op.id, (o) => o.status === "running" && o.pid !== null && o.latest_checkpoint !== null);
  process.kill(running.pid!, "SIGKILL");
  const dead = await waitFor(url, op.id, ended);
  expect(["failed", "interrupted"]).toContain(dead.status);
  expect(dead.error).toMatch(/SIGKILL|ended without recording an outcome/);
  expect((await http(url, "GET", "/operations")).status).toBe(200);
  const resumed = await http<Op>(url, "POST", `/operations/${op.id}/resume`);
  expect(resumed.status).toBe(202);
  const done = await waitFor(url, resumed.body.id, ended);
  expect(done.result).toEqual(reference);
});

test("optimisations are operations with their run and dashboard (read-only); runs made elsewhere are listed too", async () => {
  const r = await http<Op>(url, "POST", "/operations", { type: "optimisation", strategy: "sma_cross", period: "all", trials: 8, batch_size: 4, max_workers: 1, data: L.data, costs: L.costs });
  expect(r.status).toBe(202);
  const done = await waitFor(url, r.body.id, ended, 60_000);
  expect(done.status, done.error ?? "").toBe("completed");
  expect(done.progress).toMatchObject({ unit: 8, total: 8 });
  expect(done.dashboard).toMatch(/^\/runs\/\d{8}T\d{6}Z-opt-.*\/index\.html$/);
  const page = await fetch(url + done.dashboard!);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/text\/html/);
  expect(await page.text()).toContain("<html");
  expect((await http(url, "GET", `/runs/${done.run}/../../checkpoints/operations.json`)).status).toBe(404);
  expect((await http(url, "GET", `/runs/${done.run}/.lock`)).status).toBe(404);
  expect((await http(url, "POST", `/runs/${done.run}/index.html`)).status).toBe(404);

  // A run made by the library (as the CLI or a notebook would): an operation named by its folder.
  const outside = await optimize({ strategies: ["sma_cross"], periods: ["all"], trials: 4, batchSize: 4, maxWorkers: 1, name: "outside", out: L.runs, data: L.data, costs: L.costs, handleSignals: false, report: false });
  const ops = (await http<{ operations: Op[] }>(url, "GET", "/operations?type=optimisation")).body.operations;
  const theirs = ops.find((o) => o.id === outside.dir.split("/").pop());
  expect(theirs).toMatchObject({ type: "optimisation", status: "completed", progress: { unit: 4, total: 4 } });
  expect(ops.map((o) => o.id)).toContain(r.body.id);
  const runs = (await http<{ runs: { name: string; trials_done: number; dashboard: string | null }[] }>(url, "GET", "/runs")).body.runs;
  expect(runs.map((x) => [x.name, x.trials_done])).toEqual(expect.arrayContaining([[done.run, 8], [theirs!.id, 4]]));
  expect(runs.find((x) => x.name === done.run)!.dashboard).toBe(done.dashboard);
});

test("the CLI's operations and checkpoints talk to the server with --server or STRATLAB_SERVER", async () => {
  const list = await runCli(["operations", "list", "--server", url, "--type", "backtest", "--json"]);
  expect(list.code, list.stderr).toBe(0);
  const ops = (JSON.parse(list.stdout) as { operations: Op[] }).operations;
  expect(ops.length).toBeGreaterThanOrEqual(4);
  expect(ops.every((o) => o.type === "backtest")).toBe(true);
  const show = await runCli(["operations", "show", ops[0]!.id, "--server", url, "--json"]);
  expect(JSON.parse(show.stdout).operation.id).toBe(ops[0]!.id);
  const cks = await runCli(["checkpoints", "list", "--server", url, "--kind", "final", "--json"]);
  expect(cks.code, cks.stderr).toBe(0);
  expect((JSON.parse(cks.stdout) as { checkpoints: { kind: string }[] }).checkpoints.every((c) => c.kind === "final")).toBe(true);
  const missing = await runCli(["operations", "cancel", "bt-nope", "--server", url]);
  expect(missing.code).toBe(2);
  expect(missing.stderr.trim()).toMatch(/^ServiceError: no operation "bt-nope".*\(HTTP 404\)$/);
  // Locally, optimisation runs are listed as operations too (their journals are the source of truth).
  const local = await runCli(["operations", "list", "--type", "optimisation", "--root", L.root, "--runs", L.runs, "--json"]);
  expect(local.code, local.stderr).toBe(0);
  const runs = (JSON.parse(local.stdout) as { runs: { name: string; trials_done: number }[] }).runs;
  expect(runs.map((r) => r.name)).toEqual(expect.arrayContaining([expect.stringMatching(/-outside$/), expect.stringMatching(/-opt-/)]));
  // STRATLAB_SERVER does the same.
  // (asynchronously: this process serves the request)
  const viaEnv = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, "checkpoints", "list", "--json"], { env: { ...process.env, STRATLAB_SERVER: url }, timeout: 30_000 }, (e, stdout, stderr) => resolve({ status: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
  expect(viaEnv.status, viaEnv.stderr).toBe(0);
  expect(JSON.parse(viaEnv.stdout)).toMatchObject({ server: url });
  const down = await runCli(["operations", "list", "--server", "http://127.0.0.1:9", "--json"]);
  expect(down.code).toBe(2);
  expect(down.stderr).toMatch(/cannot reach the stratlab service at http:\/\/127\.0\.0\.1:9/);
});

test("the scheduled cleanup skips running operations and keeps final checkpoints", async () => {
  const C = await serve(L, { root: join(L.dir, "sched-root"), runs: join(L.dir, "sched-runs"), cleanupEveryMs: 100, maxAgeMs: 0 });
  try {
    const svc = connect(C.url);
    const running = await svc.start({ ...backtestBody(L), type: "backtest" });
    const seen = await waitFor(C.url, running.id, (o) => o.status === "running" && (o.latest_checkpoint?.unit ?? 0) >= 1000);
    await new Promise((r) => setTimeout(r, 400)); // a few cleanup rounds
    const kept = await svc.checkpoints({ operation: running.id });
    expect(kept.map((c) => c.unit)).toContain(seen.latest_checkpoint!.unit);
    await svc.cancel(running.id);
    const cancelled = await svc.watch(running.id, { progress: false });
    expect(cancelled.status).toBe("cancelled");
    // Not running any more: its checkpoints go at the next rounds.
    for (let i = 0; i < 50 && (await svc.checkpoints({ operation: running.id })).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await svc.checkpoints({ operation: running.id })).toEqual([]);
    // A result (final checkpoint) stays.
    const trained = await svc.watch((await svc.start({ type: "training", data: L.data, epochs: 2, out: join(L.dir, "model-cleanup") })).id, { progress: false });
    expect(trained.status).toBe("completed");
    await new Promise((r) => setTimeout(r, 400));
    expect((await svc.checkpoints({ operation: trained.id })).map((c) => c.kind)).toEqual(["final"]);
  } finally {
    await C.close();
  }
});

test("a bearer token: 401 without it, answers with it; a non-loopback address without a token is refused", async () => {
  const token = "s3cret-token-0123456789";
  const T = await startService({ host: "127.0.0.1", port: 0, workers: 1, root: join(L.dir, "auth-root"), runs: join(L.dir, "auth-runs"), token });
  try {
    const no = await http<{ error: string }>(T.url, "GET", "/operations");
    expect(no.status).toBe(401);
    expect(no.body.error).toMatch(/bearer token/);
    expect((await http(T.url, "GET", "/operations", undefined, { authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
    expect((await http(T.url, "POST", "/operations", { type: "backtest" })).status).toBe(401);
    expect((await http(T.url, "GET", "/operations", undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    // The console's static files hold no data and load without it.
    expect((await fetch(T.url + "/")).status).toBe(200);
    expect(existsSync(join(L.dir, "auth-root", "serve"))).toBe(false);
  } finally {
    await T.close();
  }
  await expect(startService({ host: "0.0.0.0", port: 0, root: join(L.dir, "x") })).rejects.toThrow(/needs a bearer token/);
  const cli = await runCli(["serve", "--host", "0.0.0.0", "--port", "0", "--root", join(L.dir, "x")]);
  expect(cli.code).toBe(2);
  expect(cli.stderr.trim()).toMatch(/^UsageError: binding 0\.0\.0\.0 \(not loopback\) needs a bearer token/);
  expect(readFileSync(join(__dirname, "../../lib/serve/console/index.html"), "utf8")).not.toMatch(/https?:\/\//);
});
