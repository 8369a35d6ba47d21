/**
 * The operations service: what the HTTP routes call. It accepts operations (a durable queue
 * entry, then a worker process through the runner), shows them (the registry's records, the
 * queue's, and optimisation runs found on disk), cancels and resumes them, serves their
 * checkpoints and cleans them up on a schedule. Nothing here runs an operation: workers do.
 */
import { statSync } from "node:fs";
import { basename } from "node:path";
import { effectiveStatus, isRunning, newOperationId, OperationRegistry, toMs, type CheckpointListing, type CheckpointMeta, type CleanupResult, type OperationRecord } from "../checkpoint";
import { formatError } from "../errors";
import { OBJECTIVE_KEYS } from "../engine/metrics";
import { PERIOD_KEYS } from "../engine/periods";
import { validateParams } from "../strategies/params";
import { getStrategy } from "../strategies/registry";
import { badRequest, conflict, notFound } from "./http-error";
import { JobQueue, type QueueEntry } from "./queue";
import { listRunSummaries, runDirOf, summariseRun, type RunSummary } from "./runs";
import type { JobHandlers, OperationRunner } from "./runner";
import { apiType, registryType, SERVER_GONE, type ApiCheckpointRef, type ApiProgress, type ApiStatus, type ApiType, type Job, type WorkerMessage } from "./types";

export interface ApiOperation {
  id: string;
  type: ApiType;
  status: ApiStatus;
  created_at: string;
  updated_at: string;
  request: unknown;
  progress: ApiProgress | null;
  latest_checkpoint: ApiCheckpointRef | null;
  resumed_from: string | null;
  resumed_by: string | null;
  error: string | null;
  pid: number | null;
  /** Optimisations: the run folder's name and its dashboard URL. */
  run?: string | null;
  dashboard?: string | null;
  /** GET /operations/{id} of a completed operation. */
  result?: unknown;
}

export type ServiceEvent = { event: "progress" | "checkpoint" | "end"; data: unknown };

export interface ServiceOptions {
  root: string;
  runs: string;
  runner: OperationRunner;
  onLog?: (line: string) => void;
}

export class OperationService {
  readonly registry: OperationRegistry;
  readonly queue: JobQueue;
  private readonly live = new Map<string, ApiProgress>();
  private readonly listeners = new Map<string, Set<(e: ServiceEvent) => void>>();
  private cleanupTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ServiceOptions) {
    this.registry = new OperationRegistry({ root: options.root });
    this.queue = new JobQueue(options.root);
  }

  get root(): string {
    return this.options.root;
  }
  get runs(): string {
    return this.options.runs;
  }

  /** After a restart: entries a worker already recorded leave the queue; the others run. */
  recover(): { resubmitted: string[]; dropped: string[] } {
    const resubmitted: string[] = [];
    const dropped: string[] = [];
    for (const e of this.queue.all()) {
      if (e.cancelled_at !== undefined) continue;
      if (this.registry.find(e.id) !== undefined) {
        this.queue.remove(e.id);
        dropped.push(e.id);
      } else {
        this.submit(e);
        resubmitted.push(e.id);
      }
    }
    this.registry.list(); // reconcile: records whose process is gone
    return { resubmitted, dropped };
  }

  // ---- operations ------------------------------------------------------------------

  start(body: Record<string, unknown>): ApiOperation {
    const type = body.type as ApiType;
    const { type: _t, ...request } = body;
    checkSemantics(type, request);
    const entry: QueueEntry = { id: this.newId(type), type, kind: "start", request, created_at: new Date().toISOString() };
    this.queue.add(entry);
    this.submit(entry);
    return this.get(entry.id);
  }

  list(filter: { type?: ApiType; status?: ApiStatus } = {}): ApiOperation[] {
    const records = this.registry.list();
    const ids = new Set(records.map((r) => r.id));
    // One read of the checkpoint index for the whole list, not one per operation.
    const latest = new Map<string, CheckpointMeta>();
    for (const c of this.registry.checkpoints.list()) latest.set(c.operationId, c);
    const links = linksOf(records);
    const out: ApiOperation[] = records.map((r) => this.viewRecord(r, links, latest.get(r.id)));
    for (const e of this.queue.all()) if (!ids.has(e.id)) out.push(this.viewQueued(e));
    for (const run of this.unrecordedRuns(records)) out.push(this.viewRun(run, records));
    return out
      .filter((o) => (filter.type === undefined || o.type === filter.type) && (filter.status === undefined || o.status === filter.status))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  /** One operation, with its result when completed. 404 when unknown. */
  get(id: string, withResult = false): ApiOperation {
    const records = this.registry.list();
    const rec = records.find((r) => r.id === id);
    if (rec !== undefined) {
      const view = this.viewRecord(rec, linksOf(records), this.registry.checkpoints.latest(rec.id));
      if (withResult && view.status === "completed") view.result = this.resultOf(rec, view);
      return view;
    }
    const entry = this.queue.find(id);
    if (entry !== undefined) return this.viewQueued(entry);
    const run = this.unrecordedRuns(records).find((r) => r.name === id);
    if (run !== undefined) {
      const view = this.viewRun(run, records);
      if (withResult && view.status === "completed") view.result = { dir: run.dir, trials: run.trials_done, best: run.best };
      return view;
    }
    throw notFound(`no operation "${id}"; see GET /operations`);
  }

  cancel(id: string): ApiOperation {
    const op = this.get(id);
    if (op.status === "queued") {
      this.options.runner.dequeue(id);
      this.queue.markCancelled(id, new Date().toISOString());
      const view = this.get(id);
      this.emit(id, { event: "end", data: view });
      return view;
    }
    if (op.status !== "running") throw conflict(`operation ${id} is ${op.status}; only a queued or running operation can be cancelled`);
    if (this.registry.find(id) !== undefined) this.registry.cancel(id, { reason: "cancel requested over HTTP (POST /operations/{id}/cancel)" });
    this.options.runner.cancel(id, "cancel requested over HTTP");
    return this.get(id);
  }

  /**
   * Continues `id` from its latest checkpoint as a new operation (queued now, 202). 409 while it
   * runs, while another resume holds it, when it completed or has nothing to resume from.
   */
  resume(id: string): ApiOperation {
    const op = this.get(id);
    if (op.status === "running" || op.status === "queued") throw conflict(`operation ${id} is ${op.status}; cancel it first (POST /operations/${id}/cancel)`);
    if (op.status === "completed") throw conflict(`operation ${id} completed; there is nothing to resume`);
    const holder = this.queue.all().find((e) => e.resume_of === id && e.cancelled_at === undefined && this.registry.find(e.id) === undefined);
    if (holder !== undefined) throw conflict(`operation ${id} is already being resumed by ${holder.id} (queued)`);
    if (op.resumed_by !== null) {
      const next = this.get(op.resumed_by);
      if (next.status === "running" || next.status === "queued" || next.status === "completed" || next.latest_checkpoint !== null) {
        throw conflict(`operation ${id} was resumed as ${next.id} (${next.status}); ${next.status === "completed" ? "there is nothing left to resume" : `resume ${next.id} instead`}`);
      }
    }
    if (op.type !== "optimisation" && op.latest_checkpoint === null) throw conflict(`operation ${id} has no checkpoint to resume from; start it again (POST /operations)`);
    const entry: QueueEntry = { id: this.newId(op.type), type: op.type, kind: "resume", request: {}, resume_of: id, created_at: new Date().toISOString() };
    this.queue.add(entry);
    this.submit(entry);
    return this.get(entry.id);
  }

  subscribe(id: string, fn: (e: ServiceEvent) => void): () => void {
    let set = this.listeners.get(id);
    if (set === undefined) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      set!.delete(fn);
      if (set!.size === 0) this.listeners.delete(id);
    };
  }

  // ---- checkpoints -----------------------------------------------------------------

  checkpoints(filter: { operation?: string; type?: ApiType; kind?: "periodic" | "cancellation" | "final"; status?: string; older_than?: string }): ReturnType<typeof viewCheckpoint>[] {
    const listing = this.registry.checkpoints.list({
      ...(filter.operation !== undefined ? { operationId: filter.operation } : {}),
      ...(filter.type !== undefined ? { operationType: registryType(filter.type) } : {}),
      ...(filter.kind !== undefined ? { type: filter.kind } : {}),
      ...(filter.older_than !== undefined ? { olderThan: durationMs(filter.older_than, "older_than") } : {}),
    });
    const statuses = new Map(this.registry.list().map((r) => [r.id, statusOf(r)] as const));
    return listing.map((c) => viewCheckpoint(c, statuses.get(c.operationId))).filter((c) => filter.status === undefined || c.operation_status === filter.status);
  }

  checkpoint(id: string): ReturnType<typeof viewCheckpoint> & { state: unknown } {
    const c = this.registry.checkpoints.list().find((x) => x.id === id);
    if (c === undefined) throw notFound(`no checkpoint "${id}"; see GET /checkpoints`);
    const rec = this.registry.find(c.operationId);
    return { ...viewCheckpoint(c, rec ? statusOf(rec) : undefined), state: this.registry.checkpoints.load(id).state };
  }

  deleteCheckpoint(id: string): ReturnType<typeof viewCheckpoint> {
    const c = this.registry.checkpoints.list().find((x) => x.id === id);
    if (c === undefined) throw notFound(`no checkpoint "${id}"; see GET /checkpoints`);
    const rec = this.registry.find(c.operationId);
    // The record decides (a worker that recorded its outcome may still be exiting).
    if (rec !== undefined ? isRunning(rec) : this.options.runner.isActive(c.operationId)) throw conflict(`checkpoint ${id} belongs to operation ${c.operationId}, which is running; cancel it first`);
    const view = viewCheckpoint(c, rec ? statusOf(rec) : undefined);
    this.registry.checkpoints.delete(id);
    return view;
  }

  /** Age-based cleanup; checkpoints of running operations are skipped, `final` ones kept unless asked. */
  cleanup(o: { max_age: string | number; dry_run?: boolean; include_final?: boolean }) {
    // A queued resume will load its original's latest checkpoint: keep them.
    const busy = new Map<string, string>();
    for (const e of this.queue.all()) if (e.resume_of !== undefined && e.cancelled_at === undefined && this.registry.find(e.id) === undefined) busy.set(e.resume_of, `operation ${e.resume_of} is about to be resumed by ${e.id}`);
    const r: CleanupResult = this.registry.checkpoints.cleanup({ maxAge: typeof o.max_age === "number" ? o.max_age : durationMs(o.max_age, "max_age"), dryRun: o.dry_run === true, includeFinal: o.include_final === true, busy });
    return { max_age_ms: r.maxAgeMs, dry_run: r.dryRun, removed: r.removed.map((c) => c.id), skipped: r.skipped.map((s) => ({ id: s.id, operation_id: s.operationId, reason: s.reason })), orphans: r.orphans };
  }

  scheduleCleanup(everyMs: number, maxAgeMs: number): void {
    this.cleanupTimer = setInterval(() => {
      try {
        const r = this.cleanup({ max_age: maxAgeMs });
        if (r.removed.length || r.orphans.length) this.options.onLog?.(`scheduled cleanup removed ${r.removed.length} checkpoint(s), ${r.orphans.length} unlisted folder(s); skipped ${r.skipped.length} of running operations`);
      } catch (e) {
        this.options.onLog?.(`scheduled cleanup failed: ${formatError(e)}`);
      }
    }, everyMs);
    this.cleanupTimer.unref();
  }

  // ---- runs ------------------------------------------------------------------------

  runsList(): RunSummary[] {
    return listRunSummaries(this.options.runs);
  }

  async close(graceMs?: number): Promise<void> {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    await this.options.runner.close(graceMs);
  }

  // ---- internals -------------------------------------------------------------------

  /** A fresh id no operation or queue entry has (ids carry 16 random bits per second). */
  private newId(type: ApiType): string {
    for (;;) {
      const id = newOperationId(registryType(type));
      if (this.registry.find(id) === undefined && this.queue.find(id) === undefined) return id;
    }
  }

  private submit(entry: QueueEntry): void {
    const job: Job = { id: entry.id, type: entry.type, kind: entry.kind, request: entry.request, ...(entry.resume_of !== undefined ? { resumeOf: entry.resume_of } : {}), root: this.options.root, runs: this.options.runs };
    let ended = false;
    const handlers: JobHandlers = {
      onMessage: (m: WorkerMessage) => {
        if (m.type === "started") this.queue.remove(entry.id);
        else if (m.type === "progress") {
          this.live.set(entry.id, m.progress);
          this.emit(entry.id, { event: m.kind === "checkpoint" || m.kind === "cancelled" || m.kind === "final" ? "checkpoint" : "progress", data: { ...m.progress, ...(m.checkpoint ? { checkpoint: m.checkpoint } : {}) } });
        } else if (m.type === "end") {
          ended = true;
          this.live.delete(entry.id);
          this.queue.remove(entry.id);
        }
      },
      onExit: (code, signal) => {
        if (!ended) this.recordCrash(entry, code, signal);
        this.queue.remove(entry.id);
        this.live.delete(entry.id);
        let view: ApiOperation | undefined;
        try {
          view = this.get(entry.id);
        } catch {
          /* a queue entry whose record vanished: nothing to show */
        }
        this.emit(entry.id, { event: "end", data: view ?? { id: entry.id } });
      },
    };
    this.options.runner.submit(job, handlers);
  }

  /** The worker process ended without reporting an outcome: the operation failed with why. */
  private recordCrash(entry: QueueEntry, code: number | null, signal: NodeJS.Signals | null): void {
    const why = `worker process ${signal ? `killed by ${signal}` : `exited with code ${code}`} before the operation ended`;
    const rec = this.registry.find(entry.id);
    if (rec === undefined) {
      const reg = new OperationRegistry({ root: this.options.root, nextId: () => entry.id });
      reg.start(registryType(entry.type), entry.request);
      reg.finish(entry.id, "failed", why);
    } else if (rec.status === "running") this.registry.finish(entry.id, "failed", why);
  }

  private emit(id: string, e: ServiceEvent): void {
    for (const fn of this.listeners.get(id) ?? []) fn(e);
  }

  private viewRecord(r: OperationRecord, links: Map<string, string>, latest: CheckpointMeta | undefined): ApiOperation {
    const status = statusOf(r);
    const type = apiType(r.type);
    const view: ApiOperation = {
      id: r.id,
      type,
      status,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      request: r.request,
      progress: null,
      latest_checkpoint: latest ? checkpointRef(latest) : null,
      resumed_from: r.resumedFrom ?? requestLink(r.request) ?? null,
      resumed_by: r.resumedBy ?? null,
      error: r.error ?? null,
      pid: status === "running" ? r.pid : null,
    };
    if (type === "optimisation") {
      const dir = runDirOf(r.request, this.options.runs);
      const run = dir !== null ? safeSummary(dir) : null;
      view.run = run?.name ?? null;
      view.dashboard = run?.dashboard ?? null;
      view.progress = (status === "running" ? this.live.get(r.id) : undefined) ?? (run ? { unit: run.trials_done, total: run.trials_planned, fraction: run.trials_planned ? run.trials_done / run.trials_planned : null } : null);
    } else {
      view.progress = (status === "running" ? this.live.get(r.id) : undefined) ?? progressFromRecord(r, latest, status);
    }
    if (view.resumed_by === null) view.resumed_by = links.get(r.id) ?? null;
    return view;
  }

  private viewQueued(e: QueueEntry): ApiOperation {
    return {
      id: e.id,
      type: e.type,
      status: e.cancelled_at !== undefined ? "cancelled" : "queued",
      created_at: e.created_at,
      updated_at: e.cancelled_at ?? e.created_at,
      request: e.request,
      progress: null,
      latest_checkpoint: null,
      resumed_from: e.resume_of ?? null,
      resumed_by: null,
      error: e.cancelled_at !== undefined ? "cancelled before it started" : null,
      pid: null,
    };
  }

  /** Runs started outside the service (CLI, notebooks) or whose records are gone: operations named by their folder. */
  private unrecordedRuns(records: OperationRecord[]): RunSummary[] {
    const owned = new Set<string>();
    for (const r of records) {
      if (r.type !== "optimisation" || requestLink(r.request) !== null) continue;
      const dir = runDirOf(r.request, this.options.runs);
      if (dir !== null) owned.add(basename(dir));
    }
    return this.runsList().filter((s) => !owned.has(s.name));
  }

  private viewRun(s: RunSummary, records: OperationRecord[]): ApiOperation {
    const complete = s.trials_planned !== null && s.trials_done >= s.trials_planned;
    const status: ApiStatus = s.running ? "running" : complete ? "completed" : "interrupted";
    return {
      id: s.name,
      type: "optimisation",
      status,
      created_at: s.created_at,
      updated_at: safeMtime(s.dir) ?? s.created_at,
      request: { run: s.dir },
      progress: { unit: s.trials_done, total: s.trials_planned, fraction: s.trials_planned ? s.trials_done / s.trials_planned : null },
      latest_checkpoint: null,
      resumed_from: null,
      resumed_by: records.find((o) => requestLink(o.request) === s.name)?.id ?? null,
      error: null,
      pid: null,
      run: s.name,
      dashboard: s.dashboard,
    };
  }

  private resultOf(r: OperationRecord, view: ApiOperation): unknown {
    if (view.type === "optimisation") {
      const dir = runDirOf(r.request, this.options.runs);
      const s = dir !== null ? safeSummary(dir) : null;
      return s ? { run: s.name, trials: s.trials_done, best: s.best, dashboard: s.dashboard } : null;
    }
    const final = this.registry.checkpoints.list({ operationId: r.id, type: "final" }).pop();
    if (final === undefined) return null;
    const state = this.registry.checkpoints.load(final.id).state as { result?: unknown };
    return state?.result ?? state;
  }
}

/** The registry's status as the API shows it (see ApiStatus). */
export function statusOf(r: OperationRecord): ApiStatus {
  const eff = effectiveStatus(r);
  if (r.status === "running" && eff !== "running") return "interrupted";
  if (r.status === "failed" && /ended without recording an outcome/.test(r.error ?? "")) return "interrupted";
  if (r.status === "cancelled" && (r.error ?? "").includes(SERVER_GONE)) return "interrupted";
  return eff;
}

/** Operation id -> the operation whose request says it resumed it (runs resumed by the service). */
function linksOf(records: OperationRecord[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of records) {
    const from = requestLink(o.request);
    if (from !== null) m.set(from, o.id);
  }
  return m;
}

function requestLink(request: unknown): string | null {
  const l = (request as { resumed_from?: unknown } | null)?.resumed_from;
  return typeof l === "string" ? l : null;
}

function checkpointRef(c: CheckpointMeta): ApiCheckpointRef {
  return { id: c.id, kind: c.type, unit: c.unit ?? null, created_at: c.createdAt };
}

function viewCheckpoint(c: CheckpointListing, status: ApiStatus | undefined) {
  return {
    id: c.id,
    operation_id: c.operationId,
    operation_type: c.operationType ? apiType(c.operationType) : null,
    operation_status: status ?? c.operationStatus ?? null,
    kind: c.type,
    unit: c.unit ?? null,
    created_at: c.createdAt,
    bytes: c.bytes,
    age_ms: c.ageMs,
  };
}

/** Progress of an operation not running here: its latest checkpoint's unit of the recorded total. */
function progressFromRecord(r: OperationRecord, latest: CheckpointMeta | undefined, status: ApiStatus): ApiProgress | null {
  const req = r.request as { data?: { bars?: number }; epochs?: number } | null;
  const total = r.type === "backtesting" ? req?.data?.bars : r.type === "training" ? req?.epochs : undefined;
  const unit = status === "completed" && total !== undefined ? total : latest?.unit;
  if (unit === undefined) return null;
  return { unit, total: total ?? null, fraction: total ? unit / total : null };
}

function safeSummary(dir: string): RunSummary | null {
  try {
    return summariseRun(dir);
  } catch {
    return null;
  }
}

function safeMtime(dir: string): string | undefined {
  try {
    return statSync(dir).mtime.toISOString();
  } catch {
    return undefined;
  }
}

function durationMs(v: string, field: string): number {
  try {
    return toMs(v, field);
  } catch (e) {
    throw badRequest(`${field}: ${(e as Error).message}`);
  }
}

/** Checks a start request beyond its schema: names and files the worker would refuse (400 now, not a failed operation later). */
function checkSemantics(type: ApiType, r: Record<string, unknown>): void {
  const fail = (field: string, e: unknown) => badRequest(`${field}: ${e instanceof Error ? e.message : String(e)}`);
  const strategies = r.strategy === undefined ? [] : Array.isArray(r.strategy) ? (r.strategy as string[]) : String(r.strategy).split(",");
  for (const s of strategies) {
    let strategy;
    try {
      strategy = getStrategy(s.trim());
    } catch (e) {
      throw fail("strategy", e);
    }
    if (type === "backtest") {
      try {
        validateParams(strategy, (r.params as Record<string, unknown>) ?? {});
      } catch (e) {
        throw fail("params", e);
      }
    }
  }
  const allowed: [string, readonly string[]][] = [["objective", OBJECTIVE_KEYS], ["period", PERIOD_KEYS]];
  for (const [field, keys] of allowed) {
    const v = r[field];
    const names = v === undefined ? [] : Array.isArray(v) ? (v as string[]) : String(v).split(",").map((x) => x.trim());
    const bad = names.find((n) => !keys.includes(n));
    if (bad !== undefined) throw badRequest(`${field}: ${JSON.stringify(bad)} must be one of ${keys.join(", ")}`);
  }
  for (const field of ["data", "costs"]) {
    const p = r[field];
    if (typeof p !== "string") continue;
    let ok = false;
    try {
      ok = statSync(p).isFile();
    } catch {
      ok = false;
    }
    if (!ok) throw badRequest(`${field}: ${p} is not a readable file on the server`);
  }
}
