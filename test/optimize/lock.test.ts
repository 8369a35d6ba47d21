import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunError } from "../../lib/errors";
import { acquireRunLock, readRunLock } from "../../lib/optimize/storage";
import { type Child, childScript, removeTempDirs, requireDist, spawnChild, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

let script: string;

beforeAll(() => {
  requireDist();
  script = childScript(
    tempDir("stratlab-lock-child-"),
    "lock-child.js",
    `const [dir, mode] = process.argv.slice(2);
if (mode === "own-handler") {
  // Like lib/lab/interrupt.ts: the first signal asks for a clean stop and removes the handler.
  const onSig = (sig) => {
    process.removeListener("SIGINT", onSig);
    console.log("stopping on " + sig);
    setTimeout(() => { console.log("stopped"); lock.release(); process.exit(0); }, 1500);
  };
  process.on("SIGINT", onSig);
}
let lock;
try {
  lock = storage.acquireRunLock(dir);
} catch (e) {
  console.log("refused: " + e.name + ": " + e.message);
  process.exit(0);
}
console.log("locked " + process.pid + (lock.note ? " note: " + lock.note : ""));
if (mode === "hold" || mode === "own-handler") setInterval(() => {}, 1000);
// Until the test says so (a file "release" in dir), 20 s at most: no race with a slow start.
if (mode === "until-told") {
  const t0 = Date.now();
  const poll = setInterval(() => {
    if (require("node:fs").existsSync(require("node:path").join(dir, "release")) || Date.now() - t0 > 20000) {
      clearInterval(poll);
      lock.release();
      console.log("released");
    }
  }, 20);
}
if (mode === "exit-code") setTimeout(() => process.exit(3), 10);
// mode "end": nothing keeps the event loop alive; the process ends without calling release.`,
  );
});

async function holder(dir: string, mode = "hold"): Promise<Child> {
  const c = spawnChild(script, [dir, mode]);
  await c.waitFor(/^locked /);
  return c;
}

const lockPath = (dir: string) => join(dir, ".lock");

describe("run lock: two processes", () => {
  it("refuses a run locked by a live process, naming pid and start time", async () => {
    const dir = tempDir();
    const c = await holder(dir);
    try {
      const owner = readRunLock(dir)!;
      expect(owner).toMatchObject({ pid: c.proc.pid, hostname: hostname() });
      expect(Date.now() - Date.parse(owner.started)).toBeLessThan(60_000);
      expect(() => acquireRunLock(dir)).toThrow(RunError);
      expect(() => acquireRunLock(dir)).toThrow(`run ${dir} is locked by pid ${c.proc.pid} (started ${owner.started}); wait for it or stop it`);
    } finally {
      c.proc.kill("SIGKILL");
      await c.exited;
    }
  });

  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    it(`releases on ${sig} when nothing else handles it, and the process still dies by the signal`, async () => {
      const dir = tempDir();
      const c = await holder(dir);
      c.proc.kill(sig);
      expect(await c.exited).toEqual({ code: null, signal: sig });
      expect(existsSync(lockPath(dir))).toBe(false);
      const lock = acquireRunLock(dir);
      expect(lock.note).toBeNull();
      lock.release();
    });
  }

  it("releases at a normal end of the process and at process.exit, without release() being called", async () => {
    for (const mode of ["end", "exit-code"]) {
      const dir = tempDir();
      const c = spawnChild(script, [dir, mode]);
      await c.waitFor(/^locked /);
      expect((await c.exited).code).toBe(mode === "end" ? 0 : 3);
      expect(existsSync(lockPath(dir))).toBe(false);
    }
  });

  it("takes over the lock of a killed process, with a note", async () => {
    const dir = tempDir();
    const c = await holder(dir);
    const pid = c.proc.pid;
    c.proc.kill("SIGKILL");
    await c.exited;
    expect(readRunLock(dir)?.pid).toBe(pid);
    const lock = acquireRunLock(dir);
    try {
      expect(lock.note).toMatch(new RegExp(`^took over the stale lock of pid ${pid} \\(started .*\\), which is no longer running$`));
      expect(readRunLock(dir)).toEqual(lock.owner);
      expect(lock.owner.pid).toBe(process.pid);
    } finally {
      lock.release();
    }
    expect(existsSync(lockPath(dir))).toBe(false);
  });

  it("leaves the lock to a process that handles SIGINT itself, until it releases; a second SIGINT kills and releases", async () => {
    const dir = tempDir();
    const c = await holder(dir, "own-handler");
    c.proc.kill("SIGINT");
    await c.waitFor(/^stopping on SIGINT$/);
    // Still finishing its work: the lock must still be held.
    expect(() => acquireRunLock(dir)).toThrow(/is locked by pid/);
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(c.stdout()).toContain("stopped");
    expect(existsSync(lockPath(dir))).toBe(false);

    const dir2 = tempDir();
    const c2 = await holder(dir2, "own-handler");
    c2.proc.kill("SIGINT");
    await c2.waitFor(/^stopping/);
    c2.proc.kill("SIGINT");
    expect(await c2.exited).toEqual({ code: null, signal: "SIGINT" });
    expect(c2.stdout()).not.toContain("stopped");
    expect(existsSync(lockPath(dir2))).toBe(false);
  });

  it("lets exactly one of two processes starting together take a free lock", async () => {
    const dir = tempDir();
    // The holder keeps the lock until told, so the other cannot find it free later (under
    // load a process can start more than a second after its twin): the first to end is
    // the refused one, and only then is the holder told to release.
    const a = spawnChild(script, [dir, "until-told"]);
    const b = spawnChild(script, [dir, "until-told"]);
    await Promise.race([a.exited, b.exited]);
    writeFileSync(join(dir, "release"), "");
    await Promise.all([a.exited, b.exited]);
    const outs = [a.stdout(), b.stdout()];
    expect(outs.filter((o) => o.startsWith("locked ")).length).toBe(1);
    expect(outs.filter((o) => /^refused: RunError: run .* is locked by pid \d+ \(started .*\); wait for it or stop it/.test(o)).length).toBe(1);
    expect(existsSync(lockPath(dir))).toBe(false);
  });
});

describe("run lock: one process", () => {
  it("refuses a second lock on the same run from the same process; release is idempotent", () => {
    const dir = tempDir();
    const lock = acquireRunLock(dir, { handleSignals: false });
    expect(lock.held).toBe(true);
    expect(() => acquireRunLock(dir)).toThrow(`run ${dir} is already locked by this process (since ${lock.owner.started}); release that lock first`);
    lock.release();
    lock.release();
    expect(lock.held).toBe(false);
    const again = acquireRunLock(dir);
    again.release();
  });

  it("does not remove a lock that is no longer its own", () => {
    const dir = tempDir();
    const lock = acquireRunLock(dir, { handleSignals: false });
    const foreign = JSON.stringify({ pid: 1, hostname: hostname(), started: new Date().toISOString(), token: "someone-else" });
    writeFileSync(lockPath(dir), foreign);
    lock.release();
    expect(readFileSync(lockPath(dir), "utf8")).toBe(foreign);
  });

  it("registers no listeners after release (no leak across many runs in a notebook)", () => {
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM"), process.listenerCount("exit")];
    for (let i = 0; i < 20; i++) acquireRunLock(tempDir()).release();
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM"), process.listenerCount("exit")]).toEqual(before);
  });

  it("treats a live pid whose process started after the lock as reused (stale)", async () => {
    const dir = tempDir();
    const c = spawnChild(script, [tempDir(), "hold"]);
    await c.waitFor(/^locked /);
    try {
      writeFileSync(lockPath(dir), JSON.stringify({ pid: c.proc.pid, hostname: hostname(), started: "2001-01-01T00:00:00.000Z", token: "t" }));
      const lock = acquireRunLock(dir, { handleSignals: false });
      expect(lock.note).toMatch(new RegExp(`pid ${c.proc.pid} \\(started 2001-01-01T00:00:00.000Z\\): that pid now belongs to a process started later`));
      lock.release();
      // The same live pid with a lock taken after it started: held.
      writeFileSync(lockPath(dir), JSON.stringify({ pid: c.proc.pid, hostname: hostname(), started: new Date().toISOString(), token: "t" }));
      expect(() => acquireRunLock(dir)).toThrow(`is locked by pid ${c.proc.pid}`);
    } finally {
      c.proc.kill("SIGKILL");
      await c.exited;
    }
  });

  it("treats this process's own pid in an older lock as an earlier process (containers reuse pids)", () => {
    const dir = tempDir();
    writeFileSync(lockPath(dir), JSON.stringify({ pid: process.pid, hostname: hostname(), started: "2001-01-01T00:00:00.000Z", token: "old" }));
    const lock = acquireRunLock(dir, { handleSignals: false });
    expect(lock.note).toMatch(/an earlier process with this pid/);
    lock.release();
  });

  it("never takes over a lock from another host (its pid cannot be checked)", () => {
    const dir = tempDir();
    writeFileSync(lockPath(dir), JSON.stringify({ pid: 999999, hostname: "other-box", started: "2025-01-01T00:00:00.000Z", token: "t" }));
    expect(() => acquireRunLock(dir)).toThrow(`run ${dir} is locked by pid 999999 on host other-box (started 2025-01-01T00:00:00.000Z); wait for it or stop it - if it is gone, delete ${lockPath(dir)}`);
  });

  it("waits on a fresh unreadable lock (being written) and takes over an old one", () => {
    const dir = tempDir();
    writeFileSync(lockPath(dir), "");
    expect(() => acquireRunLock(dir)).toThrow(/is being locked by another process right now/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(dir), old, old);
    const lock = acquireRunLock(dir, { handleSignals: false });
    expect(lock.note).toMatch(/an unknown process/);
    lock.release();
  });

  it("says so when the run directory does not exist", () => {
    const dir = join(tempDir(), "missing");
    expect(() => acquireRunLock(dir)).toThrow(`run directory ${dir} does not exist`);
  });
});
