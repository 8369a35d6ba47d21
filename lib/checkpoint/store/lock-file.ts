/**
 * Exclusive lock files: created with `openSync(path, "wx")` (fails if the file exists) and
 * holding `{pid, host, purpose, acquiredAt}`. A lock whose process is gone (same host, pid not
 * alive) is stale and is taken over. Locks on another host are never assumed stale.
 *
 * Taking over a stale lock is unlink + create: two processes that both judged the same lock
 * stale can race there; the window is a few microseconds and the locks here guard either a
 * read-modify-write of a small JSON file or a resume (which also checks operation status).
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { ensureDir } from "../../io/safe-path";

export interface LockInfo {
  pid: number;
  host: string;
  purpose: string;
  acquiredAt: string;
}

/** A lock file without a readable body younger than this is being written, not stale. */
const TORN_GRACE_MS = 5_000;

export const HOST = hostname();

/** True when a process with this pid exists (EPERM: exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class LockFile {
  private released = false;
  private constructor(
    readonly path: string,
    readonly info: LockInfo,
  ) {}

  /** Takes the lock, or returns who holds it. Stale locks are removed and taken. */
  static tryAcquire(path: string, purpose: string): LockFile | { heldBy: LockInfo | undefined } {
    ensureDir(dirname(path));
    for (let attempt = 0; attempt < 3; attempt++) {
      const info: LockInfo = { pid: process.pid, host: HOST, purpose, acquiredAt: new Date().toISOString() };
      let fd: number;
      try {
        fd = openSync(path, "wx");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const holder = readLock(path);
        if (holder === "gone") continue;
        if (isStale(path, holder)) {
          try {
            unlinkSync(path);
          } catch {
            /* someone else removed it first */
          }
          continue;
        }
        return { heldBy: holder ?? undefined };
      }
      try {
        writeSync(fd, JSON.stringify(info) + "\n");
      } finally {
        closeSync(fd);
      }
      return new LockFile(path, info);
    }
    return { heldBy: undefined };
  }

  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const holder = readLock(this.path);
    if (holder !== "gone" && holder !== null && (holder.pid !== this.info.pid || holder.acquiredAt !== this.info.acquiredAt)) return;
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}

/** The lock's body, null when unreadable (being written or torn), "gone" when the file vanished. */
export function readLock(path: string): LockInfo | null | "gone" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw e;
  }
  try {
    const v = JSON.parse(text) as LockInfo;
    return typeof v.pid === "number" && typeof v.host === "string" ? v : null;
  } catch {
    return null;
  }
}

function isStale(path: string, holder: LockInfo | null): boolean {
  if (holder === null) {
    // Created but its body never written: the creator died between open and write.
    try {
      return Date.now() - statSync(path).mtimeMs > TORN_GRACE_MS;
    } catch {
      return false;
    }
  }
  return holder.host === HOST && !isProcessAlive(holder.pid);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread (the index locks are held for milliseconds; callers are synchronous). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Runs `fn` holding the lock, waiting up to `waitMs` for another process to release it.
 * `onTimeout` builds the error to throw when the lock stays held.
 */
export function withLockSync<R>(path: string, purpose: string, fn: () => R, opts: { waitMs: number; onTimeout: (holder: LockInfo | undefined) => Error }): R {
  const deadline = Date.now() + opts.waitMs;
  let delay = 2;
  for (;;) {
    const got = LockFile.tryAcquire(path, purpose);
    if (got instanceof LockFile) {
      try {
        return fn();
      } finally {
        got.release();
      }
    }
    if (Date.now() >= deadline) throw opts.onTimeout(got.heldBy);
    sleepSync(delay);
    delay = Math.min(delay * 2, 50);
  }
}
