import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunError } from "../../lib/errors";
import { PACKAGE_ROOT } from "../../lib/paths";
import { buildManifest, compareManifests, gitCommit, hashFile, readManifest, writeManifest, type RunArgs, type RunManifest } from "../../lib/optimize/storage";
import { removeTempDirs, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

const args: RunArgs & { abortDrawdown: number | null } = {
  strategies: ["sma_cross", "rsi_reversion"],
  objectives: ["mar"],
  periods: ["1y", "90d"],
  trials: 200,
  sampler: "tpe",
  seed: 1,
  batchSize: 16,
  tradeSizes: [10_000],
  abortDrawdown: null,
};

function files(dir: string) {
  const data = join(dir, "bars.csv");
  const costs = join(dir, "costs.json");
  if (!existsSync(data)) writeFileSync(data, "t,open,high,low,close,volume\n1,1,1,1,1,1\n");
  if (!existsSync(costs)) writeFileSync(costs, '{"sizes":[1],"impacts":[0]}');
  return { data, costs };
}

function manifest(dir: string, over: { args?: Partial<typeof args>; workers?: number; cpuFraction?: number } = {}): RunManifest {
  const f = files(dir);
  return buildManifest({
    name: "grid",
    args: { ...args, ...over.args },
    studies: ["sma_cross|mar|1y", "sma_cross|mar|90d", "rsi_reversion|mar|1y", "rsi_reversion|mar|90d"],
    workers: over.workers ?? 2,
    cpuFraction: over.cpuFraction ?? 0.9,
    data: { path: f.data, rows: 1 },
    costs: { path: f.costs },
    repoDir: dir,
  });
}

describe("run manifest", () => {
  it("records configuration, file hashes, code version and platform, and round-trips", () => {
    const dir = tempDir();
    const m = manifest(dir);
    expect(m).toMatchObject({ v: 1, name: "grid", workers: 2, cpuFraction: 0.9, gitCommit: null, node: process.version, platform: `${process.platform}-${process.arch}` });
    expect(m.data.sha256).toBe(createHash("sha256").update(readFileSync(m.data.path)).digest("hex"));
    expect(m.costs.sha256).toBe(createHash("sha256").update(readFileSync(m.costs.path)).digest("hex"));
    writeManifest(dir, m);
    expect(readManifest(dir)).toEqual(m);
  });

  it("a missing or invalid manifest is a RunError naming the file", () => {
    const dir = tempDir();
    const path = join(dir, "manifest.json");
    expect(() => readManifest(dir)).toThrow(RunError);
    expect(() => readManifest(dir)).toThrow(`${path} does not exist; ${dir} is not a run directory`);
    writeFileSync(path, "{");
    expect(() => readManifest(dir)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON`));
    const m = manifest(dir);
    writeFileSync(path, JSON.stringify({ ...m, data: { path: "x" } }));
    expect(() => readManifest(dir)).toThrow(/manifest\.json: data is not \{ path, sha256, rows \}/);
    writeFileSync(path, JSON.stringify({ ...m, args: { ...m.args, seed: "1" } }));
    expect(() => readManifest(dir)).toThrow(/args\.seed is not a number/);
  });
});

describe("run manifest: what resume may change", () => {
  it("allows a larger trial budget, other workers and CPU share, and moved files with the same content", () => {
    const a = manifest(tempDir());
    const b = manifest(tempDir(), { args: { trials: 500 }, workers: 7, cpuFraction: 0.5 });
    expect(b.data.path).not.toBe(a.data.path);
    expect(compareManifests(a, b)).toEqual([]);
  });

  it("lists each difference that changes results, one readable line each", () => {
    const dir = tempDir();
    const a = manifest(dir);
    const b = manifest(tempDir(), { args: { trials: 100, seed: 2, sampler: "random", tradeSizes: [5_000], abortDrawdown: 0.5, periods: ["90d", "1y"] } });
    writeFileSync(b.costs.path, '{"sizes":[1],"impacts":[0.1]}');
    const c = { ...b, costs: { ...b.costs, sha256: hashFile(b.costs.path) }, studies: b.studies.slice(1) };
    const diffs = compareManifests(a, c);
    expect(diffs).toEqual([
      expect.stringMatching(/^costs: .*costs\.json \(sha256 [0-9a-f]{12}\) is not the file the run was made with \(.*costs\.json, sha256 [0-9a-f]{12}\)$/),
      'periods: the run has ["1y","90d"], ["90d","1y"] was requested',
      "trials: the run has a budget of 200 per study, 100 was requested (the budget may only grow)",
      'sampler: the run has "tpe", "random" was requested',
      "seed: the run has 1, 2 was requested",
      "tradeSizes: the run has [10000], [5000] was requested",
      "abortDrawdown: the run has null, 0.5 was requested",
      expect.stringMatching(/^studies: the run has \["sma_cross\|mar\|1y",/),
    ]);
    writeFileSync(a.data.path, "t,open,high,low,close,volume\n1,1,1,1,2,1\n");
    expect(compareManifests(a, manifest(dir))[0]).toMatch(/^data: .*bars\.csv \(sha256 /);
  });
});

describe("hashFile", () => {
  // Its speed is measured by `npm run bench -- data` (docs/benchmarks.md), not here.
  it("streams sha256 of a 15 MB file (several 1 MB reads)", () => {
    const path = join(tempDir(), "big.bin");
    const buf = Buffer.alloc(15 << 20);
    for (let i = 0; i < buf.length; i += 4096) buf[i] = (i / 4096) & 255;
    writeFileSync(path, buf);
    expect(hashFile(path)).toBe(createHash("sha256").update(buf).digest("hex"));
    expect(() => hashFile(path + ".missing")).toThrow(/big\.bin\.missing: cannot read it to hash it \(ENOENT\)/);
  });
});

describe("gitCommit (read from .git, without running git)", () => {
  const sha = "0123456789abcdef0123456789abcdef01234567";
  const other = "fedcba9876543210fedcba9876543210fedcba98";

  it("matches git rev-parse HEAD for this checkout", () => {
    const expected = execFileSync("git", ["rev-parse", "HEAD"], { cwd: PACKAGE_ROOT, encoding: "utf8" }).trim();
    expect(gitCommit(PACKAGE_ROOT)).toBe(expected);
    expect(gitCommit(join(PACKAGE_ROOT, "lib", "optimize"))).toBe(expected);
  });

  it("follows a branch ref, packed-refs, a detached HEAD and a linked worktree; null outside a repository", () => {
    const repo = tempDir();
    mkdirSync(join(repo, ".git", "refs", "heads"), { recursive: true });
    writeFileSync(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
    expect(gitCommit(repo)).toBeNull(); // unborn branch
    writeFileSync(join(repo, ".git", "packed-refs"), `# pack-refs with: peeled fully-peeled sorted\n${other} refs/heads/dev\n${sha} refs/heads/main\n`);
    expect(gitCommit(repo)).toBe(sha);
    writeFileSync(join(repo, ".git", "refs", "heads", "main"), `${other}\n`);
    expect(gitCommit(repo)).toBe(other); // a loose ref wins over packed-refs
    writeFileSync(join(repo, ".git", "HEAD"), `${sha}\n`);
    expect(gitCommit(join(repo))).toBe(sha);

    const wt = tempDir();
    const wtGit = join(repo, ".git", "worktrees", "wt");
    mkdirSync(wtGit, { recursive: true });
    writeFileSync(join(wt, ".git"), `gitdir: ${wtGit}\n`);
    writeFileSync(join(wtGit, "HEAD"), "ref: refs/heads/dev\n");
    writeFileSync(join(wtGit, "commondir"), "../..\n");
    expect(gitCommit(wt)).toBe(other); // refs/heads/dev from the common dir's packed-refs

    expect(gitCommit(tempDir())).toBeNull();
  });
});
