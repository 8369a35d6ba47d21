/**
 * A real redis-server for the tests: a free loopback port, a random password, no
 * persistence (a restart empties it, the hardest case), stopped at the end.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

export const REDIS_SERVER = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find(existsSync);

export function requireRedis(): string {
  if (REDIS_SERVER === undefined) throw new Error("redis-server is missing: npm install (stratlab setup) installs it as root, or apt-get install redis-server");
  return REDIS_SERVER;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  private proc: ChildProcess | null = null;
  readonly password = randomBytes(12).toString("hex");
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort());
    await r.up();
    return r;
  }

  async up(): Promise<void> {
    const bin = requireRedis();
    this.proc = spawn(bin, ["--port", String(this.port), "--bind", "127.0.0.1", "--requirepass", this.password, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    for (let i = 0; i < 200; i++) {
      const r = spawnSync("redis-cli", ["-p", String(this.port), "--no-auth-warning", "-a", this.password, "ping"], { encoding: "utf8" });
      if (r.stdout.trim() === "PONG") return;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Run a redis-cli command, e.g. cli("HLEN", key). */
  cli(...args: string[]): string {
    return spawnSync("redis-cli", ["-p", String(this.port), "--no-auth-warning", "-a", this.password, ...args], { encoding: "utf8" }).stdout.trim();
  }

  /** Kill it (its data goes: no persistence). */
  async down(): Promise<void> {
    const p = this.proc;
    if (p === null || p.exitCode !== null) return;
    const exited = new Promise((res) => p.once("exit", res));
    p.kill("SIGKILL");
    await exited;
    this.proc = null;
  }
}
