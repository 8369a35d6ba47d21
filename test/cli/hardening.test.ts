/**
 * Issue 9, one test per item, through the real CLI (dist/): values read from files and flags
 * are checked before they reach a path, a loop or the terminal.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lab, type Lab } from "../backtest/fixtures";
import { makeRunDir } from "../report/fixtures";
import { CLI, runCli, type CliRun } from "./run-cli";

const FIXTURES = join(__dirname, "../fixtures/hostile");

/** Exit 2 with exactly one line on stderr, no raw control character, no stack trace. */
function expectOneLineError(r: CliRun, pattern?: RegExp): string {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split("\n");
  expect(lines.length, r.stderr).toBe(2);
  expect(lines[1]).toBe("");
  expect(r.stderr.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f]/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.length).toBeLessThanOrEqual(700);
  if (pattern) expect(lines[0]).toMatch(pattern);
  return lines[0]!;
}

let L: Lab;
beforeAll(() => {
  L = lab(2000, 5);
});
afterAll(() => L.cleanup());

describe("path traversal through a run folder", () => {
  it("report refuses a manifest whose objective climbs out, and writes nothing", async () => {
    const fx = makeRunDir({ strategies: ["sma_cross"], objectives: ["mar"], trials: 2, days: 30, barMinutes: 60 });
    const manifestPath = join(fx.dir, "manifest.json");
    const m = JSON.parse(readFileSync(manifestPath, "utf8"));
    const evil = "x/../../../../escaped";
    m.args.objectives = [evil];
    m.studies = [`sma_cross|${evil}|1y`];
    writeFileSync(manifestPath, JSON.stringify(m));
    const before = readdirSync(dirname(dirname(fx.dir)));
    const r = await runCli(["report", fx.dir, "--no-curves"]);
    expectOneLineError(r, /^RunError: .*manifest\.json: args\.objectives holds "x\/\.\.\/\.\.\/\.\.\/\.\.\/escaped", which is not an objective name/);
    expect(readdirSync(dirname(dirname(fx.dir)))).toEqual(before);
    expect(existsSync(join(fx.dir, "report"))).toBe(false);
  });
});

describe("unbounded resources", () => {
  it("caps workers at a multiple of the cores and bounds every numeric flag, saying the bound", async () => {
    const cores = availableParallelism();
    const started = Date.now();
    expectOneLineError(await runCli(["optimize", "--strategy", "sma_cross", "--max-workers", "64", "--data", L.data]), new RegExp(`--max-workers "64" must be an integer >= 1 and <= ${4 * cores} \\(4 x the ${cores} cores\\)`));
    expect(Date.now() - started).toBeLessThan(10_000);
    expectOneLineError(await runCli(["optimize", "--strategy", "sma_cross", "--trials", "1e12"]), /--trials "1e12" must be an integer >= 1 and <= 1000000/);
    expectOneLineError(await runCli(["optimize", "--strategy", "sma_cross", "--batch-size", "100000"]), /--batch-size "100000" must be an integer >= 1 and <= 4096/);
    expectOneLineError(await runCli(["evaluate", "--strategy", "sma_cross", "--trade-size", "1e13"]), /--trade-size "1e13" must be a positive number <= 1000000000000/);
    expectOneLineError(await runCli(["data", "generate", "--days", "36500", "--bar-minutes", "1", "--out", join(L.dir, "big.csv")]), /at most 10000000 are generated/);
    expect(existsSync(join(L.dir, "big.csv"))).toBe(false);
  });
});

describe("hangs and unclean exits", () => {
  it("optimize --out under /proc ends at once with exit 2", async () => {
    const started = Date.now();
    expectOneLineError(await runCli(["optimize", "--strategy", "sma_cross", "--trials", "2", "--out", "/proc/stratlab-nope", "--data", L.data, "--max-workers", "1"]), /^RunError: \/proc\/stratlab-nope: cannot create the runs folder/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("backtest --root a file and data generate --out a folder: exit 2, one line, no temp file", async () => {
    const file = join(L.dir, "a-file");
    writeFileSync(file, "x");
    expectOneLineError(await runCli(["backtest", "--strategy", "sma_cross", "--root", file, "--data", L.data, "--costs", L.costs]), /^FileError: ENOTDIR/);
    const folder = join(L.dir, "a-folder");
    mkdirSync(folder);
    expectOneLineError(await runCli(["data", "generate", "--days", "1", "--out", folder]), /^FileError: EISDIR/);
    expect(readdirSync(L.dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe("errors are one line and never echo raw bytes", () => {
  it("a manifest holding hi\\n gives one line", async () => {
    const run = join(L.dir, "runs", "20250101T000000Z-hi");
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, "manifest.json"), "hi\n");
    const line = expectOneLineError(await runCli(["report", run]), /manifest\.json: not valid JSON/);
    expect(line).toContain("\\n");
  });

  it("terminal escapes in a CSV field are escaped; a 100 kB field is cut", async () => {
    const line = expectOneLineError(await runCli(["data", "info", join(FIXTURES, "bars-control-chars.csv")]), /^DataError: .* line 3: close ".*" is not a number/);
    expect(line).toContain("\\x1b[2J\\x1b]0;pwned\\x07\\x00");
    const huge = join(L.dir, "huge.csv");
    writeFileSync(huge, `timestamp,open,high,low,close,volume\n2023-01-01T00:00:00Z,1,2,0.5,${"9".repeat(50_000)}x${"\x1b".repeat(50_000)},1\n`);
    const cut = expectOneLineError(await runCli(["data", "info", huge]), /close "9{60}\.\.\." \(100001 characters\) is not a number/);
    expect(cut.length).toBeLessThan(600);
  });
});

describe("dubious input is refused or warned about", () => {
  it("too few bars for the window, and a trade size above the largest bucket: warnings on stderr and in JSON", async () => {
    const two = join(L.dir, "two-bars.csv");
    writeFileSync(two, readFileSync(L.data, "utf8").split("\n").slice(0, 3).join("\n") + "\n");
    const r = await runCli(["evaluate", "--strategy", "sma_cross", "--params", '{"fast":10,"slow":50}', "--data", two, "--costs", L.costs, "--trade-size", "5000000", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.warnings).toEqual([
      expect.stringMatching(/^the data has 2 bar\(s\), not more than the strategy's longest window \(slow=50\)/),
      expect.stringMatching(/^trade size 5000000 is above the largest cost bucket \(1000000\)/),
    ]);
    expect(r.stderr.trim().split("\n").map((l) => l.slice(0, 8))).toEqual(["warning:", "warning:"]);

    // backtest and optimize say the same, in their JSON too.
    const bt = await runCli(["backtest", "--strategy", "sma_cross", "--params", '{"fast":10,"slow":50}', "--data", two, "--costs", L.costs, "--trade-size", "5000000", "--root", join(L.dir, "ck-warn"), "--json"]);
    expect(bt.code, bt.stderr).toBe(0);
    expect(JSON.parse(bt.stdout).warnings).toHaveLength(2);
    const opt = await runCli(["optimize", "--strategy", "sma_cross", "--trials", "1", "--batch-size", "1", "--max-workers", "1", "--trade-size", "5000000", "--data", L.data, "--costs", L.costs, "--out", join(L.dir, "runs-warn"), "--no-report", "--json"]);
    expect(opt.code, opt.stderr).toBe(0);
    expect(JSON.parse(opt.stdout).warnings).toEqual([expect.stringMatching(/^trade size 5000000 is above the largest cost bucket/)]);
  });

  it("gas 1e308, unknown cost keys, a doubled overlay and --trade-size -1 are one-line errors; a cost JSON with a BOM is accepted", async () => {
    const base = ["evaluate", "--strategy", "sma_cross", "--data", L.data];
    expectOneLineError(await runCli([...base, "--costs", join(FIXTURES, "costs-huge-gas.json")]), /^CostError: .*"gas" must be a number >= 0 and <= 1000000 .*got 1e\+308/);
    expectOneLineError(await runCli([...base, "--costs", join(FIXTURES, "costs-unknown-key.json")]), /^CostError: .*unknown key "gass"/);
    expectOneLineError(await runCli(["evaluate", "--strategy", "sma_cross+regime+regime", "--data", L.data]), /^ParamError: overlay "\+regime" appears twice/);
    expectOneLineError(await runCli([...base, "--trade-size", "-1"]), /^UsageError: --trade-size "-1" must be a positive number/);
    const bom = join(L.dir, "bom-costs.json");
    writeFileSync(bom, "\ufeff" + readFileSync(L.costs, "utf8"));
    const ok = await runCli([...base, "--costs", bom, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).strategy).toBe("sma_cross");
  });
});

describe("checkpoints cleanup keeps results", () => {
  it("--max-age keeps final checkpoints unless --include-final", async () => {
    const root = join(L.dir, "ck-cleanup");
    const bt = await runCli(["backtest", "--strategy", "sma_cross", "--data", L.data, "--costs", L.costs, "--root", root, "--json"]);
    expect(bt.code, bt.stderr).toBe(0);
    const finalId = JSON.parse(bt.stdout).final.id as string;
    const kept = await runCli(["checkpoints", "cleanup", "--max-age", "0s", "--root", root, "--json"]);
    expect(kept.code, kept.stderr).toBe(0);
    const k = JSON.parse(kept.stdout);
    expect(k.removed).toEqual([]);
    expect(k.skipped).toEqual([expect.objectContaining({ id: finalId, reason: expect.stringContaining("--include-final") })]);
    const gone = JSON.parse((await runCli(["checkpoints", "cleanup", "--max-age", "0s", "--include-final", "--root", root, "--json"])).stdout);
    expect(gone.removed.map((c: { id: string }) => c.id)).toEqual([finalId]);
  });
});

describe("a cancelled backtest gives a structured result", () => {
  it("--json --stop-after-bars prints status cancelled with ids, the bar and the resume command (exit 130); the command resumes", async () => {
    const root = join(L.dir, "ck-cancel");
    const r = await runCli(["backtest", "--strategy", "sma_cross", "--data", L.data, "--costs", L.costs, "--root", root, "--stop-after-bars", "700", "--checkpoint-every", "200", "--json"]);
    expect(r.code, r.stderr).toBe(130);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schema_version: 1, status: "cancelled", bar: 700, operation_id: expect.stringMatching(/^bt-/), checkpoint_id: expect.stringMatching(/^ck-/) });
    expect(doc.resume_command).toBe(`stratlab operations resume ${doc.operation_id} --root ${root}`);
    expect(r.stderr.trim().split("\n").filter((l) => l.includes("resume with")).length).toBe(1);

    // The printed command works, and its progress lines say "checkpoint" once.
    const args = (doc.resume_command as string).split(" ").slice(1);
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resumed ${doc.operation_id}`);
    expect(resumed.stderr).toMatch(/checkpoint ck-/);
    expect(resumed.stderr).not.toMatch(/checkpoint checkpoint/);
  });
});

describe("small things", () => {
  it("--version and -V print the version; help for an unknown command exits 2", async () => {
    const version = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")).version;
    for (const flag of ["--version", "-V"]) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`stratlab ${version}\n`);
    }
    expectOneLineError(await runCli(["help", "nosuch"]), /^UsageError: no command "nosuch"; commands: main, evaluate/);
  });

  it("Ctrl-C during optimize prints the resume command once", async () => {
    const runs = join(L.dir, "runs-sigint");
    const child = spawn(process.execPath, [CLI, "optimize", "--strategy", "sma_cross", "--trials", "100000", "--batch-size", "4", "--max-workers", "1", "--data", L.data, "--costs", L.costs, "--out", runs, "--no-report", "--name", "sigint"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const journal = () => {
      const dir = existsSync(runs) ? readdirSync(runs)[0] : undefined;
      return dir !== undefined && existsSync(join(runs, dir, "trials.jsonl")) && readFileSync(join(runs, dir, "trials.jsonl"), "utf8").length > 0;
    };
    const deadline = Date.now() + 60_000;
    while (!journal() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code, stderr).toBe(130);
    expect(stderr.match(/--resume-from/g)?.length, stderr).toBe(1);
  });
});
