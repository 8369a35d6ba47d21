/** The compiled `stratlab` CLI, run as a real child process by the tests of every module. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";

export const CLI = resolve(__dirname, "../../dist/lib/cli/main.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `stratlab <args>` to its end (no stdin), optionally in another working directory or with more environment. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env }, ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    p.on("exit", (code) => res({ code, stdout, stderr }));
  });
}
