/**
 * One process at a time works on a run: `<dir>/.lock`, linked from a fully written file
 * of the taker's own (link fails if the lock exists), holds the owner's pid, hostname and
 * start time. A lock whose process is
 * gone (killed, crashed, machine rebooted) is stale and taken over with a note.
 *
 * The lock is released by `release()` (idempotent), at process exit, and on SIGINT /
 * SIGTERM when nothing else handles them: when another listener does (the optimiser's
 * cancel), the process is left to stop on its own and release in its `finally`.
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { RunError } from "../../errors";
import { fsyncDir } from "../../io/atomic";
import { runFile } from "./run-dir";

export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  started: string;
  /** Tells this lock apart from a later one of a process with the same pid. */
  token: string;
}

export interface RunLock {
  readonly dir: string;
  readonly path: string;
  readonly owner: LockOwner;
  /** Set when a stale lock was taken over: say so in the run log. */
  readonly note: string | null;
  readonly held: boolean;
  /** Remove the lock if it is still ours (idempotent; never throws). */
  release(): void;
}

export interface LockOptions {
  /** Release at exit and on SIGINT / SIGTERM (default true). */
  handleSignals?: boolean;
}

/** A lock file this young with no readable owner is being written by another process. */
const UNREADABLE_GRACE_MS = 10_000;
/** Slack between a lock's time and /proc start times (clock ticks, rounding). */
const PID_REUSE_SLACK_MS = 2_000;
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

/** Locks held by this process, by absolute path. */
const held = new Map<string, RunLock>();

/** The owner recorded in `<dir>/.lock`, or null when there is no (readable) lock. */
export function readRunLock(dir: string): LockOwner | null {
  try {
    return parseOwner(readFileSync(runFile(dir, "lock"), "utf8"));
  } catch {
    return null;
  }
}

export function acquireRunLock(dir: string, opts: LockOptions = {}): RunLock {
  const path = runFile(dir, "lock");
  const key = resolve(path);
  const mine = held.get(key);
  if (mine) throw new RunError(`run ${dir} is already locked by this process (since ${mine.owner.started}); release that lock first`);
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), started: new Date().toISOString(), token: randomBytes(8).toString("hex") };
  let note: string | null = null;
  // The owner is written to a file of our own first and then linked to the lock's name
  // (link fails if that name exists): a lock is never seen half written, so a process
  // starting at the same moment is told who holds it, not that it is being written.
  const pending = `${path}.new-${process.pid}-${owner.token}`;
  let fd: number;
  try {
    fd = openSync(pending, "wx");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new RunError(`run directory ${dir} does not exist`);
    throw new RunError(`${path}: cannot create the run lock (${code ?? e})`);
  }
  try {
    const buf = Buffer.from(JSON.stringify(owner) + "\n");
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(pending, path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "EEXIST") throw new RunError(`${path}: cannot create the run lock (${code ?? e})`);
        const stale = staleReason(dir, path);
        if (stale === null) continue; // released meanwhile: try again
        if (takeOver(path, stale.text)) note = `took over the stale lock of ${stale.reason}`;
        continue;
      }
      fsyncDir(dir);
      const lock = makeLock(dir, path, key, owner, note, opts.handleSignals !== false);
      held.set(key, lock);
      return lock;
    }
  } finally {
    safeUnlink(pending);
  }
  throw new RunError(`run ${dir}: could not take ${path} after several tries; another process keeps taking it`);
}

/**
 * Why the lock at `path` is stale (with its text, to take it over only if unchanged), or
 * null when it vanished; throws RunError when its owner may be alive.
 */
function staleReason(dir: string, path: string): { reason: string; text: string } | null {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(path, "utf8");
    mtimeMs = statSync(path).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new RunError(`${path}: cannot read the run lock (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const o = parseOwner(text);
  if (o === null) {
    if (Date.now() - mtimeMs < UNREADABLE_GRACE_MS) throw new RunError(`run ${dir} is being locked by another process right now; try again in a few seconds`);
    return { reason: `an unknown process (${path} holds no owner)`, text };
  }
  const who = `pid ${o.pid} (started ${o.started})`;
  if (o.hostname !== hostname()) {
    throw new RunError(`run ${dir} is locked by pid ${o.pid} on host ${o.hostname} (started ${o.started}); wait for it or stop it - if it is gone, delete ${path}`);
  }
  const started = Date.parse(o.started);
  if (o.pid === process.pid) {
    // Our pid but not our lock: an earlier process that had this pid (containers reuse small pids).
    const selfStart = Date.now() - process.uptime() * 1000;
    if (started < selfStart - PID_REUSE_SLACK_MS) return { reason: `${who}, an earlier process with this pid`, text };
    throw new RunError(`run ${dir} is locked by this process (pid ${o.pid}, started ${o.started}) through another copy of stratlab; release that lock first`);
  }
  if (!isAlive(o.pid)) return { reason: `${who}, which is no longer running`, text };
  const procStart = processStartMs(o.pid);
  if (procStart !== null && Number.isFinite(started) && procStart > started + PID_REUSE_SLACK_MS) {
    return { reason: `${who}: that pid now belongs to a process started later`, text };
  }
  throw new RunError(`run ${dir} is locked by pid ${o.pid} (started ${o.started}); wait for it or stop it`);
}

/**
 * Move the stale lock aside and drop it, unless what was moved is not the lock judged
 * stale (another process took it over meanwhile): then put it back. True if removed.
 */
function takeOver(path: string, staleText: string): boolean {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new RunError(`${path}: cannot take over the stale run lock (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  let moved = "";
  try {
    moved = readFileSync(aside, "utf8");
  } catch {
    /* treat as changed */
  }
  if (moved !== staleText) {
    try {
      linkSync(aside, path); // fails if yet another lock appeared: that one stands
    } catch {
      /* EEXIST */
    }
    safeUnlink(aside);
    return false;
  }
  safeUnlink(aside);
  return true;
}

function makeLock(dir: string, path: string, key: string, owner: LockOwner, note: string | null, handleSignals: boolean): RunLock {
  let isHeld = true;
  const onExit = () => release();
  const onSignal = (sig: NodeJS.Signals) => {
    // Registered first (prepend), so a listener that removes itself has not run yet:
    // more than one listener means someone else handles this signal and will release.
    if (process.listenerCount(sig) > 1) return;
    release();
    // Nobody else handles it: do what Node would have done without us, die by the signal.
    process.kill(process.pid, sig);
  };
  const release = () => {
    if (!isHeld) return;
    isHeld = false;
    held.delete(key);
    if (handleSignals) {
      process.removeListener("exit", onExit);
      for (const s of SIGNALS) process.removeListener(s, onSignal);
    }
    try {
      if (parseOwner(readFileSync(path, "utf8"))?.token === owner.token) unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
  if (handleSignals) {
    process.on("exit", onExit);
    for (const s of SIGNALS) process.prependListener(s, onSignal);
  }
  return {
    dir,
    path,
    owner,
    note,
    get held() {
      return isHeld;
    },
    release,
  };
}

function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as Partial<LockOwner> | null;
    if (typeof o !== "object" || o === null) return null;
    if (!Number.isInteger(o.pid) || typeof o.hostname !== "string" || typeof o.started !== "string") return null;
    return { pid: o.pid as number, hostname: o.hostname, started: o.started, token: typeof o.token === "string" ? o.token : "" };
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** Linux: when process `pid` started (Unix ms) from /proc, or null where unknown. */
function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime, clock ticks since boot); the fields after ")" start at field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"));
    if (!btime || !Number.isFinite(ticks)) return null;
    // USER_HZ is 100 on Linux for every mainstream architecture.
    const ms = Number(btime[1]) * 1000 + ticks * 10;
    return ms > Date.now() + PID_REUSE_SLACK_MS ? null : ms;
  } catch {
    return null;
  }
}

function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* gone */
  }
}
