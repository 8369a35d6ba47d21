/**
 * Installing Debian's Jupyter packages with apt-get, only when it can work unattended:
 * running as root with apt-get present, and not switched off with STRATLAB_SKIP_APT=1.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export interface AptOutcome {
  ok: boolean;
  seconds: number;
  /** The commands run, as a person would type them. */
  commands: string[];
  /** The last lines of apt's output when it failed. */
  error?: string;
}

/** Why apt cannot be used here, or undefined when it can. */
export function aptUnavailable(): string | undefined {
  if (process.env.STRATLAB_SKIP_APT === "1") return "STRATLAB_SKIP_APT=1";
  if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) return "no apt-get on this machine";
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "not running as root";
  return undefined;
}

/** apt-get update, then install `packages` without recommends; output kept, shown on failure. */
export function aptInstall(packages: readonly string[], log: (line: string) => void): AptOutcome {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const steps: string[][] = [
    ["-qq", "update"],
    ["-qq", "install", "-y", "--no-install-recommends", ...packages],
  ];
  const started = Date.now();
  const commands: string[] = [];
  for (const args of steps) {
    const line = `apt-get ${args.join(" ")}`;
    commands.push(line);
    log(`  running: ${line}`);
    const r = spawnSync("apt-get", args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 });
    if (r.error || r.status !== 0) {
      const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-5).join(" | ");
      return { ok: false, seconds: (Date.now() - started) / 1000, commands, error: `${line} failed (${r.error?.message ?? `exit ${r.status}`}): ${out}` };
    }
  }
  return { ok: true, seconds: (Date.now() - started) / 1000, commands };
}
