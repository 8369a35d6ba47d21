/**
 * Every command's --json document validates against its JSON Schema in docs/schemas/ (ajv),
 * carries `schema_version`, and has snake_case keys (outside `params`, whose keys are a
 * strategy's parameter names). The commands run as real processes on small data.
 */
import Ajv from "ajv";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lab, type Lab } from "../backtest/fixtures";
import { spawn } from "node:child_process";
import { COMMANDS } from "../../lib/cli/commands";
import { CLI, runCli } from "./run-cli";

const SCHEMAS = join(__dirname, "../../docs/schemas");
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = Object.fromEntries(
  readdirSync(SCHEMAS)
    .filter((f) => f.endsWith(".schema.json"))
    .map((f) => [f.replace(".schema.json", ""), ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, f), "utf8")))]),
);

/** Keys that are not snake_case, with their paths (values under `params` are names, not fields). */
function camelKeys(x: unknown, path = "$"): string[] {
  if (Array.isArray(x)) return x.flatMap((v, i) => camelKeys(v, `${path}[${i}]`));
  if (x === null || typeof x !== "object") return [];
  return Object.entries(x).flatMap(([k, v]) => [...(/[A-Z]/.test(k) && !k.includes("|") ? [`${path}.${k}`] : []), ...(k === "params" ? [] : camelKeys(v, `${path}.${k}`))]);
}

async function doc(schema: string, args: string[], code = 0): Promise<Record<string, unknown>> {
  const r = await runCli([...args, "--json"]);
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stdout.trim().split("\n");
  expect(lines, r.stdout).toHaveLength(1);
  const d = JSON.parse(lines[0]!) as Record<string, unknown>;
  const validate = validators[schema]!;
  expect(validate(d) ? [] : validate.errors, `${schema}: ${JSON.stringify(args)}`).toEqual([]);
  expect(d.schema_version).toBe(1);
  expect(camelKeys(d)).toEqual([]);
  return d;
}

let L: Lab;
beforeAll(() => {
  L = lab(3000, 21);
});
afterAll(() => L.cleanup());

describe("--json documents follow docs/schemas", () => {
  it("has a schema for every command", () => {
    for (const name of [...COMMANDS.map((c) => c.name), "error", "help"]) expect(validators[name], name).toBeDefined();
  });

  it("costs show and fetch, train (complete and cancelled), serve", async () => {
    await doc("costs", ["costs", "show", L.costs]);
    await doc("costs", ["costs", "fetch", "--source", "amm", "--reserve-quote", "5000000", "--fee", "0.003", "--gas", "1", "--step", "1000", "--end", "3000", "--out", join(L.dir, "amm.json")]);
    const bars = join(L.dir, "train-bars.csv");
    await runCli(["data", "generate", "--days", "20", "--out", bars]);
    const ck = join(L.dir, "train-ck");
    await doc("train", ["train", "--data", bars, "--epochs", "1", "--out", join(L.dir, "model"), "--root", ck]);
    const stopped = await doc("train", ["train", "--data", bars, "--epochs", "3", "--stop-after-epochs", "1", "--out", join(L.dir, "model2"), "--root", ck], 130);
    expect(stopped).toMatchObject({ status: "cancelled", epoch: 1 });
    expect(String(stopped.resume_command)).toMatch(/^stratlab operations resume tr-\S+ --root /);

    // serve prints its document when it stops.
    const p = spawn(process.execPath, [CLI, "serve", "--port", "0", "--root", join(L.dir, "serve-ck"), "--runs", join(L.dir, "serve-runs"), "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    for (let i = 0; i < 300 && !err.includes("listening"); i++) await new Promise((r) => setTimeout(r, 50));
    p.kill("SIGTERM");
    await new Promise((r) => p.once("exit", r));
    const served = JSON.parse(out.trim()) as Record<string, unknown>;
    expect(validators.serve!(served) ? [] : validators.serve!.errors, err).toEqual([]);
  });

  it("evaluate: always results[] (one per trade size) and the parameters with defaults filled", async () => {
    const one = await doc("evaluate", ["evaluate", "--strategy", "sma_cross", "--params", '{"fast":20}', "--data", L.data, "--costs", L.costs]);
    expect(one.params).toEqual({ fast: 20, slow: 576 });
    expect((one.results as unknown[]).length).toBe(1);
    const two = await doc("evaluate", ["evaluate", "--strategy", "sma_cross", "--trade-size", "1000,20000", "--data", L.data, "--costs", L.costs]);
    expect((two.results as { trade_size: number }[]).map((r) => r.trade_size)).toEqual([1000, 20000]);
  });

  it("data, optimize, report, backtest, checkpoints, operations, main, setup, help, version and errors", async () => {
    const gen = join(L.dir, "gen.csv");
    await doc("data", ["data", "generate", "--days", "2", "--out", gen]);
    await doc("data", ["data", "info", gen]);
    const runs = join(L.dir, "runs");
    const opt = await doc("optimize", ["optimize", "--strategy", "sma_cross", "--trials", "2", "--batch-size", "2", "--max-workers", "1", "--data", L.data, "--costs", L.costs, "--out", runs, "--no-report"]);
    expect((opt.search as Record<string, unknown>).batch_size).toBe(2);
    await doc("report", ["report", opt.dir as string, "--no-curves"]);

    const root = join(L.dir, "ck");
    const bt = ["backtest", "--strategy", "sma_cross", "--data", L.data, "--costs", L.costs, "--root", root];
    await doc("backtest", bt);
    const cancelled = await doc("backtest", [...bt, "--stop-after-bars", "100"], 130);
    const id = cancelled.operation_id as string;
    await doc("operations", ["operations", "list", "--root", root]);
    await doc("operations", ["operations", "show", id, "--root", root]);
    await doc("checkpoints", ["checkpoints", "list", "--root", root]);
    await doc("checkpoints", ["checkpoints", "cleanup", "--max-age", "30d", "--root", root]);
    const resumed = await doc("operations", ["operations", "resume", id, "--root", root]);
    await doc("checkpoints", ["checkpoints", "delete", (resumed.operation as { id: string }).id, "--root", root]);

    // The main job on the bundled data, one trial per study (a few seconds), and setup (idempotent).
    await doc("main", ["main", "--trials", "1", "--max-workers", "1", "--out", join(L.dir, "main-runs")]);
    await doc("setup", ["setup", "--skip-apt"]);

    await doc("help", ["help"]);
    await doc("help", ["help", "evaluate"]);
    await doc("help", ["--version"]);
    await doc("error", ["evaluate", "--strategy", "nope"], 2);
  });
});
