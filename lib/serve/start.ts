/**
 * `startService(options)`: the service, its process runner and the HTTP server, listening.
 * What `stratlab serve` runs, and what tests start in-process (operations still run in
 * worker processes).
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { UsageError } from "../errors";
import { CHECKPOINTS_DIR, RUNS_DIR } from "../paths";
import { ProcessRunner, type OperationRunner } from "./runner";
import { buildServer } from "./server";
import { OperationService } from "./service";
import { DEFAULT_PORT } from "./types";

export interface StartOptions {
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Worker processes at once (default: the cores). */
  workers?: number;
  token?: string;
  /** Checkpoint root (operations.json, index.json, the queue). */
  root?: string;
  /** Optimisation run folders. */
  runs?: string;
  /** Scheduled cleanup every this many ms (0/undefined: none), removing checkpoints older than maxAgeMs. */
  cleanupEveryMs?: number;
  maxAgeMs?: number;
  /** Another runner (a queue on other machines); default: worker processes. */
  runner?: OperationRunner;
  /** Extra environment for worker processes. */
  workerEnv?: NodeJS.ProcessEnv;
  onLog?: (line: string) => void;
}

export interface RunningService {
  url: string;
  app: FastifyInstance;
  service: OperationService;
  recovered: { resubmitted: string[]; dropped: string[] };
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_MAX_AGE_MS = 7 * 86_400_000;

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startService(o: StartOptions = {}): Promise<RunningService> {
  const host = o.host ?? "127.0.0.1";
  if (!isLoopback(host) && (o.token === undefined || o.token === "")) {
    throw new UsageError(`binding ${host} (not loopback) needs a bearer token: pass --token-file FILE (a file holding a long random token)`);
  }
  if (o.token !== undefined && o.token.length < 16) throw new UsageError("the bearer token must be at least 16 characters");
  const workers = o.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`workers ${workers} must be a whole number >= 1`);
  const runner = o.runner ?? new ProcessRunner(workers, { ...(o.workerEnv ? { env: o.workerEnv } : {}) });
  const service = new OperationService({ root: resolve(o.root ?? CHECKPOINTS_DIR), runs: resolve(o.runs ?? RUNS_DIR), runner, ...(o.onLog ? { onLog: o.onLog } : {}) });
  const recovered = service.recover();
  if (o.cleanupEveryMs !== undefined && o.cleanupEveryMs > 0) service.scheduleCleanup(o.cleanupEveryMs, o.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
  const app = await buildServer({ service, ...(o.token !== undefined ? { token: o.token } : {}) });
  let address: string;
  try {
    address = await app.listen({ host, port: o.port ?? DEFAULT_PORT });
  } catch (e) {
    await service.close(0);
    throw new UsageError(`cannot listen on ${host}:${o.port ?? DEFAULT_PORT} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return {
    url: address,
    app,
    service,
    recovered,
    async close(graceMs) {
      await app.close();
      await service.close(graceMs);
    },
  };
}
