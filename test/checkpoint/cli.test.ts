import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckpointService, OperationRegistry, parseDuration } from "../../lib/checkpoint";
import { UsageError } from "../../lib/errors";
import { childScript, requireDist, runCli, startChild, tempRoot } from "./helpers";

beforeAll(requireDist);

const DAY = 86_400_000;

/** Exactly one JSON document on stdout. */
function doc(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

async function fixture() {
  const root = tempRoot();
  const registry = new OperationRegistry({ root });
  const bt = await registry.run({ type: "backtesting", request: { strategy: "sma_cross" }, signals: false, keepCheckpoints: true }, (ctx) => {
    ctx.bridge({ policy: { everyUnits: 10 } }).updateState(10, () => ({ bar: 10 }));
  });
  const tr = await registry.run({ type: "training", request: { epochs: 2 }, signals: false, keepCheckpoints: true }, (ctx) => {
    ctx.bridge().saveFinal({ epoch: 2 });
  });
  const old = new CheckpointService({ root, clock: { now: () => Date.now() - 10 * DAY } }).save(bt.operation.id, "periodic", { bar: 5 }, {}, { unit: 5 });
  return { root, bt: bt.operation.id, tr: tr.operation.id, old: old.id };
}

describe("stratlab checkpoints", () => {
  it("list --json with filters by operation type, status, kind and age", async () => {
    const f = await fixture();
    const all = doc((await runCli(["checkpoints", "list", "--root", f.root, "--json"])).stdout);
    expect(all.root).toBe(f.root);
    expect((all.checkpoints as unknown[]).length).toBe(3);
    const ids = async (...args: string[]) => ((doc((await runCli(["checkpoints", "list", "--root", f.root, "--json", ...args])).stdout).checkpoints) as { id: string }[]).map((c) => c.id);
    expect(await ids("--type", "training")).toHaveLength(1);
    expect(await ids("--kind", "final")).toHaveLength(1);
    expect(await ids("--status", "completed")).toHaveLength(3);
    expect(await ids("--status", "running")).toHaveLength(0);
    expect(await ids("--older-than", "7d")).toEqual([f.old]);
    const human = await runCli(["checkpoints", "list", "--root", f.root]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^checkpoint\s+operation\s+op type\s+op status\s+kind\s+unit\s+age\s+MB/);
    expect(human.stdout).toContain(f.old);
  });

  it("cleanup --max-age 7d removes only the old one; delete ID removes one", async () => {
    const f = await fixture();
    const r = await runCli(["checkpoints", "cleanup", "--max-age", "7d", "--root", f.root, "--json"]);
    expect(r.code).toBe(0);
    const out = doc(r.stdout) as { removed: { id: string }[]; skipped: unknown[] };
    expect(out.removed.map((c) => c.id)).toEqual([f.old]);
    expect(out.skipped).toEqual([]);
    const remaining = new CheckpointService({ root: f.root }).list();
    expect(remaining).toHaveLength(2);
    const del = await runCli(["checkpoints", "delete", remaining[0]!.id, "--root", f.root, "--json"]);
    expect(doc(del.stdout)).toMatchObject({ deleted: [{ id: remaining[0]!.id }] });
    expect(new CheckpointService({ root: f.root }).list().map((c) => c.id)).toEqual([remaining[1]!.id]);
  });

  it("errors: exit 2 and one line on stderr (and {error} with --json)", async () => {
    const root = tempRoot();
    const cases: [string[], RegExp][] = [
      [["checkpoints"], /^UsageError: checkpoints needs a sub-command: list, delete, cleanup/],
      [["checkpoints", "purge"], /^UsageError: unknown sub-command "checkpoints purge"/],
      [["checkpoints", "cleanup"], /^UsageError: checkpoints cleanup needs --max-age, e.g. --max-age 7d$/],
      [["checkpoints", "cleanup", "--max-age", "7x"], /^UsageError: --max-age "7x" must be a duration like 7d, 12h, 30m or 45s$/],
      [["checkpoints", "list", "--max-age", "7d"], /^UsageError: --max-age does not apply to "checkpoints list"/],
      [["checkpoints", "list", "--type", "bogus"], /^UsageError: --type "bogus" must be one of backtesting, training, optimisation$/],
      [["checkpoints", "delete", "ck-nope"], /^UsageError: no checkpoint or operation "ck-nope"/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli([...args, "--root", root]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trimEnd().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr.trim(), args.join(" ")).toMatch(re);
    }
    const [args, re] = cases[3]!;
    const j = await runCli([...args, "--root", root, "--json"]);
    expect(j.code).toBe(2);
    expect(doc(j.stdout).error).toMatch(re);
    writeFileSync(join(root, "index.json"), "{oops");
    const r = await runCli(["checkpoints", "list", "--root", root]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^CheckpointError: checkpoint index ${root}/index\\.json is corrupt: is not valid JSON`));
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("stratlab operations", () => {
  it("list, show, cancel a running operation in another process, resume without a resumer", async () => {
    const f = await fixture();
    const list = doc((await runCli(["operations", "list", "--root", f.root, "--json"])).stdout) as { operations: { id: string; status: string }[] };
    expect(list.operations.map((o) => [o.id, o.status])).toEqual([[f.bt, "completed"], [f.tr, "completed"]]);
    expect((doc((await runCli(["operations", "list", "--type", "training", "--root", f.root, "--json"])).stdout).operations as unknown[]).length).toBe(1);
    const show = doc((await runCli(["operations", "show", f.bt, "--root", f.root, "--json"])).stdout) as { operation: { id: string; request: unknown }; checkpoints: unknown[] };
    expect(show.operation).toMatchObject({ id: f.bt, request: { strategy: "sma_cross" } });
    expect(show.checkpoints).toHaveLength(2);

    const child = startChild(childScript(f.root, "run.js", `
      const registry = new ckpt.OperationRegistry({ root: process.argv[2] });
      try {
        await registry.run({ type: "optimisation", request: {}, signals: false }, async (ctx) => {
          const bridge = ctx.bridge();
          say({ running: ctx.operation.id });
          for (let bar = 1; ; bar++) { bridge.updateState(bar, () => ({ bar })); if (bar % 1000 === 0) await bridge.yieldToEventLoop(); }
        });
      } catch (e) { process.exitCode = e.exitCode; }
    `), [f.root]);
    const { running } = (await child.waitFor((l) => "running" in l)) as { running: string };
    const cancel = await runCli(["operations", "cancel", running, "--wait", "30s", "--root", f.root, "--json"]);
    expect(cancel.code).toBe(0);
    expect(doc(cancel.stdout)).toMatchObject({ operation: { id: running, status: "cancelled" }, signalled: false });
    expect((await child.exited).code).toBe(130);

    const resume = await runCli(["operations", "resume", running, "--root", f.root]);
    expect(resume.code).toBe(2);
    expect(resume.stderr.trim()).toBe(`UsageError: no resumer is registered for optimisation operations; the module that runs them must call registerResumer("optimisation", ...)`);
    expect(new CheckpointService({ root: f.root }).latest(running)?.type).toBe("cancellation");

    const again = await runCli(["operations", "cancel", running, "--root", f.root]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(`UsageError: operation ${running} is not running (status cancelled); nothing to cancel`);
    const unknown = await runCli(["operations", "show", "bt-missing", "--root", f.root]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(`UsageError: no operation "bt-missing" in ${f.root}/operations.json; see: stratlab operations list`);
    expect(existsSync(join(f.root, running, "cancel-requested"))).toBe(false);
  });
});

describe("durations", () => {
  it("parses 7d, 12h, 30m, 45s, 2w and refuses others", () => {
    expect([parseDuration("7d"), parseDuration("12h"), parseDuration("30m"), parseDuration("45s"), parseDuration("2w"), parseDuration("1.5h")]).toEqual([7 * DAY, 12 * 3_600_000, 30 * 60_000, 45_000, 14 * DAY, 5_400_000]);
    for (const bad of ["7", "d", "7 days", "-1d", ""]) expect(() => parseDuration(bad, "--max-age"), bad).toThrow(UsageError);
  });
});
