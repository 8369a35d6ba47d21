import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseDuration } from "../../checkpoint";
import { UsageError } from "../../errors";
import { checkRedisUrl } from "../../scale/redis";
import { CHECKPOINTS_DIR, RUNS_DIR } from "../../paths";
import { DEFAULT_PORT } from "../../serve/types";
import { num, str } from "../args";
import type { Command } from "../command";

export const serveCommand: Command = {
  name: "serve",
  summary: "the operations service: HTTP API, worker processes and a live web console",
  usage: [
    "usage: stratlab serve [--host 127.0.0.1] [--port 8787] [--workers N] [--token-file F]",
    "                      [--cleanup-every 1h] [--max-age 7d] [--root DIR] [--runs DIR]",
    "                      [--redis redis://[:PASSWORD@]HOST:6379 [--queue NAME]]",
    "",
    "  --host           address to bind (default 127.0.0.1); any non-loopback address needs --token-file",
    `  --port           TCP port (default ${DEFAULT_PORT}; 0: any free port)`,
    `  --workers        operations running at once, each in its own process (default: the cores, ${availableParallelism()} here); more are queued`,
    "  --token-file     file holding the bearer token every API request must carry (16+ characters)",
    "  --cleanup-every  remove checkpoints older than --max-age this often (skips running operations, keeps final ones)",
    "  --max-age        age for the scheduled cleanup (default 7d)",
    `  --root           checkpoint folder (default ${CHECKPOINTS_DIR})`,
    `  --runs           optimisation runs folder (default ${RUNS_DIR})`,
    "  --redis          run operations on `stratlab worker --redis URL --operations` processes on any machine",
    "                   instead of local processes (--root and --runs must be a folder every machine mounts",
    "                   at the same path); --queue: the operations queue (default stratlab-operations)",
    "",
    "The console is at GET /, the OpenAPI document at /openapi.json. Ctrl-C stops the server; running",
    "operations save a checkpoint and show as interrupted, ready to resume. See docs/service.md.",
  ].join("\n"),
  options: {
    host: { type: "string" },
    port: { type: "string" },
    workers: { type: "string" },
    "token-file": { type: "string" },
    "cleanup-every": { type: "string" },
    "max-age": { type: "string" },
    root: { type: "string" },
    runs: { type: "string" },
    redis: { type: "string" },
    queue: { type: "string" },
  },
  async run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`serve takes no argument, got ${JSON.stringify(ctx.positionals[0])}`);
    const tokenFile = str(ctx.values, "token-file");
    let token: string | undefined;
    if (tokenFile !== undefined) {
      try {
        token = readFileSync(tokenFile, "utf8").trim();
      } catch (e) {
        throw new UsageError(`--token-file ${tokenFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`);
      }
    }
    const every = str(ctx.values, "cleanup-every");
    const maxAge = str(ctx.values, "max-age");
    // Every flag checked before anything starts.
    const settings = {
      ...optional("host", str(ctx.values, "host")),
      ...optional("port", num(ctx.values, "port", { int: true, min: 0, max: 65535 })),
      ...optional("workers", num(ctx.values, "workers", { int: true, min: 1, max: 1024 })),
      ...optional("token", token),
      ...optional("root", str(ctx.values, "root")),
      ...optional("runs", str(ctx.values, "runs")),
      ...optional("cleanupEveryMs", every !== undefined ? parseDuration(every, "--cleanup-every") : undefined),
      ...optional("maxAgeMs", maxAge !== undefined ? parseDuration(maxAge, "--max-age") : undefined),
      onLog: ctx.err,
    };
    const redis = str(ctx.values, "redis");
    if (redis !== undefined) checkRedisUrl(redis);
    else if (str(ctx.values, "queue") !== undefined) throw new UsageError("--queue names the operations queue of --redis; give --redis too");
    // Loaded here: Fastify (and BullMQ) are not needed by the other commands.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startService } = require("../../serve/start") as typeof import("../../serve/start");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runner = redis === undefined ? undefined : await (require("../../scale/operation-runner") as typeof import("../../scale/operation-runner")).QueueRunner.connect(redis, { queue: str(ctx.values, "queue"), onLog: ctx.err });
    const s = await startService({ ...settings, ...optional("runner", runner) }).catch(async (e) => {
      await runner?.close();
      throw e;
    });
    const { resubmitted, dropped } = s.recovered;
    ctx.out(`stratlab service listening on ${s.url} (root ${s.service.root}; ${token ? "bearer token required" : "no token: loopback only"})`);
    if (resubmitted.length || dropped.length) ctx.err(`recovered the queue: ${resubmitted.length} operation(s) submitted again, ${dropped.length} already recorded`);
    await new Promise<void>((resolve) => {
      const stop = (sig: NodeJS.Signals) => {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
        ctx.err(`${sig}: stopping; ${runner ? "operations keep running on their workers" : "running operations save a checkpoint"}`);
        void s.close().then(resolve, resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return { url: s.url, stopped: true };
  },
};

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
