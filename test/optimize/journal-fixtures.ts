/** Trial lines shaped like the runner's, and helpers for tests of lib/optimize/storage. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TrialLine } from "../../lib/optimize/storage";
import { line } from "../../bench/synthetic-trials";

// The journal tests read the same synthetic lines the storage benchmark does.
export { line, noise, result } from "../../bench/synthetic-trials";

export const STUDY = "sma_cross|mar|1y";
/** The compiled storage child processes require (override: STRATLAB_TEST_DIST_STORAGE, to test a modified build). */
export const DIST_STORAGE = process.env.STRATLAB_TEST_DIST_STORAGE ?? join(__dirname, "../../dist/lib/optimize/storage");

const made: string[] = [];

/** A new temp folder, removed by removeTempDirs (each test file calls it in afterAll). */
export function tempDir(prefix = "stratlab-storage-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function lines(from: number, to: number, study = STUDY): TrialLine[] {
  const out: TrialLine[] = [];
  for (let i = from; i < to; i++) out.push(line(i, study));
  return out;
}

export function requireDist(): void {
  if (!existsSync(join(DIST_STORAGE, "index.js"))) throw new Error("dist/ is missing: run `npx tsc -p .` before these tests");
}

/** Write a child script (plain JS) into `dir` and return its path. */
export function childScript(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `"use strict";\nconst storage = require(${JSON.stringify(DIST_STORAGE)});\n${body}\n`);
  return path;
}

export interface Child {
  proc: import("node:child_process").ChildProcess;
  /** Resolves with the first stdout line matching `re` (rejects if the child ends first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

export function spawnChild(script: string, args: string[] = [], opts: { shell?: string } = {}): Child {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require("node:child_process") as typeof import("node:child_process");
  const proc = opts.shell
    ? spawn("bash", ["-c", `${opts.shell}; exec "${process.execPath}" "$@"`, "bash", script, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let ended = false;
  const endWaiters: Array<() => void> = [];
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    for (const w of [...waiters]) {
      const m = out.split("\n").find((l) => w.re.test(l));
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => {
      ended = true;
      for (const f of endWaiters) f();
      resolve({ code, signal });
    }),
  );
  return {
    proc,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitFor(re, timeoutMs = 20_000) {
      const hit = out.split("\n").find((l) => re.test(l));
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise<string>((resolve, reject) => {
        const fail = (why: string) => reject(new Error(`${why} waiting for ${re} (stdout: ${out.slice(-500)} stderr: ${err.slice(-1000)})`));
        if (ended) return fail("child already exited");
        const timer = setTimeout(() => fail("timeout"), timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        endWaiters.push(() => {
          clearTimeout(timer);
          setTimeout(() => fail("child exited"), 50);
        });
      });
    },
  };
}
