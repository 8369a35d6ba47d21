/**
 * A worker process: runs one operation for the server and exits. Forked by the process runner
 * (runner.ts) with an IPC channel; receives `{ type: "job" }`, records the operation under the
 * id the server allocated, reports progress and its end, and stops cleanly (a cancellation
 * checkpoint, status cancelled) on a cancel request or when the server goes away: a server
 * killed with kill -9 leaves no operation running unattended, and the operation shows as
 * `interrupted`, ready to resume from its last checkpoint.
 *
 * STRATLAB_SERVE_PACE_MS (demos and tests only) sleeps that long at every progress event, so
 * an operation on small data lasts long enough to be watched, cancelled or killed.
 */
import { CancellationToken, OperationRegistry, type ProgressEvent } from "../checkpoint";
import { formatError } from "../errors";
import { HANDLERS } from "./dispatch";
import { registryType, SERVER_GONE, type ApiProgress, type Job, type ServerMessage, type WorkerMessage } from "./types";

const PACE_MS = Math.max(0, Number(process.env.STRATLAB_SERVE_PACE_MS ?? 0) || 0);
/** Progress messages to the server at most this often (checkpoints and ends always go). */
const SEND_EVERY_MS = 100;

const token = new CancellationToken();
let job: Job | undefined;

function send(m: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function run(j: Job): Promise<void> {
  job = j;
  let announced = false;
  const registry = new OperationRegistry({
    root: j.root,
    nextId: () => {
      if (!announced) {
        announced = true;
        // start() adds the record synchronously after asking for the id.
        queueMicrotask(() => void send({ type: "started", id: j.id, pid: process.pid }));
      }
      return j.id;
    },
  });
  let lastSent = 0;
  const onProgress = (e: ProgressEvent) => {
    if (PACE_MS > 0 && e.kind === "progress") sleep(PACE_MS);
    const now = Date.now();
    if (e.kind === "progress" && now - lastSent < SEND_EVERY_MS && e.unit !== e.total) return;
    lastSent = now;
    const progress: ApiProgress = { unit: e.unit, total: e.total ?? null, fraction: e.fraction ?? null };
    const c = e.checkpoint;
    void send({ type: "progress", id: j.id, kind: e.kind, progress, ...(c ? { checkpoint: { id: c.id, kind: c.type, unit: c.unit ?? null, created_at: c.createdAt } } : {}) });
  };
  const ctx = { registry, token, onProgress, progressEveryMs: PACE_MS > 0 ? 0 : 250, runs: j.runs, id: j.id };
  let error: string | undefined;
  try {
    const handler = HANDLERS[j.type];
    if (j.kind === "start") await handler.start(j.request, ctx);
    else await handler.resume(j.resumeOf!, ctx);
  } catch (e) {
    error = formatError(e);
  }
  let record = registry.find(j.id);
  if (record === undefined) {
    // Refused before the operation was recorded (bad input found by the library): record it as failed.
    registry.start(registryType(j.type), j.request, j.resumeOf !== undefined && registry.find(j.resumeOf) !== undefined ? { resumedFrom: j.resumeOf } : {});
    record = registry.finish(j.id, "failed", error ?? "ended without a result");
  }
  const status = record.status === "running" ? "failed" : record.status;
  await send({ type: "end", id: j.id, status, ...(record.error !== undefined ? { error: record.error } : error !== undefined ? { error } : {}) });
}

process.on("message", (m: ServerMessage) => {
  if (m.type === "cancel") token.cancel(m.reason);
  else if (m.type === "job" && job === undefined) {
    run(m.job).then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(formatError(e) + "\n");
        process.exit(1);
      },
    );
  }
});

process.on("disconnect", () => {
  if (job === undefined) process.exit(0);
  token.cancel(SERVER_GONE);
});
// A terminal's Ctrl-C reaches the whole process group: the server decides what stops (it
// disconnects its workers on the way out, and they save a checkpoint as above).
process.on("SIGINT", () => undefined);
