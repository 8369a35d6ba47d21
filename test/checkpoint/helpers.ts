/** Temp roots and real child processes running the compiled dist/ (the pretest script builds it). */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createHash } from "node:crypto";

export const DIST_CHECKPOINT = resolve(__dirname, "../../dist/lib/checkpoint/index.js");
export const DIST_ERRORS = resolve(__dirname, "../../dist/lib/errors.js");
import { CLI } from "../cli/run-cli";

export { CLI, runCli } from "../cli/run-cli";

export function requireDist(): void {
  if (!existsSync(DIST_CHECKPOINT) || !existsSync(CLI)) throw new Error(`${DIST_CHECKPOINT} is missing: build first (npx tsc -p .)`);
}

export function tempRoot(prefix = "stratlab-ckpt-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a CommonJS child script into `dir`; `ckpt` and `errors` are the compiled modules. */
export function childScript(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `"use strict";\nconst ckpt = require(${JSON.stringify(DIST_CHECKPOINT)});\nconst errors = require(${JSON.stringify(DIST_ERRORS)});\n` +
      `const say = (o) => process.stdout.write(JSON.stringify(o) + "\\n");\n(async () => {\n${body}\n})().catch((e) => { process.stderr.write(String(e && e.stack || e) + "\\n"); process.exitCode = e instanceof errors.StratlabError ? e.exitCode : 1; });\n`,
  );
  return file;
}

export interface Child {
  proc: ChildProcess;
  /** JSON lines printed so far. */
  lines: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the first line satisfying `pred`. */
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChild(script: string, args: string[] = []): Child {
  const proc = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let err = "";
  let buf = "";
  const waiters: { pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  proc.stdout!.on("data", (d: Buffer) => {
    buf += d.toString("utf8");
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!text.trim()) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const w of [...waiters]) if (w.pred(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.on("exit", (code, signal) => res({ code, signal })));
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    waitFor(pred, timeoutMs = 30_000) {
      const hit = lines.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`timed out waiting for a line; stdout lines: ${JSON.stringify(lines).slice(0, 500)}; stderr: ${err.slice(0, 2000)}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => { clearTimeout(t); res(l); } });
        void exited.then(() => setTimeout(() => rej(new Error(`child exited before the line came; stderr: ${err.slice(0, 2000)}`)), 50));
      });
    },
  };
}

/** Every file under `dir` with its sha256, to show that nothing changed. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}


/** A clock the test moves by hand. */
export function fakeClock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
}
