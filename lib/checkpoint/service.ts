/**
 * The checkpoint service: save, load (verified), list, delete and clean up checkpoints under
 * one root folder.
 *
 *   <root>/index.json                      every checkpoint's metadata (lowdb, atomic writes)
 *   <root>/<operation>/<checkpoint>/state.json
 *   <root>/<operation>/<checkpoint>/artifacts/<name>
 *
 * A save writes the artifacts, then state.json, then the index entry, each atomically: a
 * process killed at any moment leaves the index pointing at complete checkpoints only (at
 * worst an unlisted folder, which `cleanup` removes). Every file's sha256 is in the index and
 * checked on load; a missing or corrupt file is an error naming it, and nothing is deleted
 * because of it. The module knows no engine: state is plain JSON.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { CheckpointError, UsageError } from "../errors";
import { sha256, writeFileAtomic } from "../io/atomic";
import { CHECKPOINTS_DIR } from "../paths";
import { systemClock, type Clock } from "./clock";
import { toMs } from "./duration";
import { oneLine } from "./store/atomic-json-file";
import { JsonDb } from "./store/json-db";
import { effectiveStatus, isRunning, OperationStore } from "./store/operation-store";
import {
  CHECKPOINT_TYPES,
  type ArtifactRecord,
  type Artifacts,
  type CheckpointIndex,
  type CheckpointMeta,
  type CheckpointType,
  type OperationRecord,
  type OperationStatus,
  type OperationType,
} from "./types";

export const INDEX_FILE = "index.json";
export const STATE_FILE = "state.json";
export const ARTIFACTS_DIR = "artifacts";

/** The envelope written to state.json: self-describing, so a folder can be identified without the index. */
export interface StateFile<S = unknown> {
  format: "stratlab-checkpoint-state";
  version: 1;
  checkpointId: string;
  operationId: string;
  type: CheckpointType;
  unit?: number;
  createdAt: string;
  state: S;
}

export interface LoadedCheckpoint<S = unknown> {
  meta: CheckpointMeta;
  state: S;
  /** Artifact name -> content, each verified against its recorded sha256. */
  artifacts: Record<string, Buffer>;
  /** Absolute checkpoint folder. */
  dir: string;
}

export interface CheckpointFilter {
  operationId?: string;
  /** Type of the operation the checkpoint belongs to (from operations.json). */
  operationType?: OperationType;
  /** Status of that operation; a `running` record whose process is gone counts as `failed`. */
  status?: OperationStatus;
  /** periodic | cancellation | final */
  type?: CheckpointType;
  /** Only checkpoints at least this old: milliseconds or a duration such as "7d". */
  olderThan?: number | string;
  newerThan?: number | string;
}

export interface CheckpointListing extends CheckpointMeta {
  operationType?: OperationType;
  operationStatus?: OperationStatus;
  /** state.json plus artifacts. */
  bytes: number;
  ageMs: number;
}

export interface CleanupResult {
  maxAgeMs: number;
  dryRun: boolean;
  removed: CheckpointMeta[];
  /** Old enough, but the operation is running. */
  skipped: { id: string; operationId: string; reason: string }[];
  /** Folders no index entry points at (left by a process killed mid-save), removed. */
  orphans: string[];
}

export interface CheckpointServiceOptions {
  /** Root folder (default: CHECKPOINTS_DIR, `<package>/checkpoints`). */
  root?: string;
  /** Time source for createdAt and ages. */
  clock?: Clock;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class CheckpointService {
  readonly root: string;
  readonly indexPath: string;
  readonly clock: Clock;
  /** The operations registry of the same root (for list filters and cleanup). */
  readonly operations: OperationStore;
  private readonly db: JsonDb<CheckpointIndex>;

  constructor(options: CheckpointServiceOptions = {}) {
    this.root = options.root ?? CHECKPOINTS_DIR;
    this.clock = options.clock ?? systemClock;
    this.indexPath = join(this.root, INDEX_FILE);
    this.operations = new OperationStore(this.root);
    this.db = new JsonDb<CheckpointIndex>(this.indexPath, {
      empty: () => ({ format: "stratlab-checkpoints", version: 1, checkpoints: [] }),
      validate: validateIndex,
      what: "checkpoint index",
      fix: "restore it from a backup, or move it aside to start a new index (checkpoint folders stay on disk)",
    });
  }

  /**
   * Saves a checkpoint of `operationId`: `state` is plain JSON (typed arrays, NaN and
   * Infinity are refused: convert them or pass them as artifacts), `artifacts` are files.
   */
  save<S>(operationId: string, type: CheckpointType, state: S, artifacts: Artifacts = {}, options: { unit?: number } = {}): CheckpointMeta {
    checkName(operationId, "operation id");
    if (!CHECKPOINT_TYPES.includes(type)) throw new UsageError(`checkpoint type ${JSON.stringify(type)} must be one of ${CHECKPOINT_TYPES.join(", ")}`);
    for (const name of Object.keys(artifacts)) checkName(name, "artifact name");
    const createdAt = new Date(this.clock.now()).toISOString();
    const id = `ck-${this.clock.now().toString(36)}-${randomBytes(3).toString("hex")}`;
    const rel = `${operationId}/${id}`;
    const dir = join(this.root, operationId, id);
    const envelope: StateFile<S> = { format: "stratlab-checkpoint-state", version: 1, checkpointId: id, operationId, type, ...(options.unit !== undefined ? { unit: options.unit } : {}), createdAt, state };
    const stateText = serialiseState(envelope, operationId);
    try {
      const records: ArtifactRecord[] = [];
      for (const [name, content] of Object.entries(artifacts)) {
        const file = `${ARTIFACTS_DIR}/${name}`;
        const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
        writeFileAtomic(join(dir, file), bytes);
        records.push({ name, file, sha256: sha256(bytes), bytes: bytes.length });
      }
      const stateBytes = Buffer.from(stateText, "utf8");
      writeFileAtomic(join(dir, STATE_FILE), stateBytes);
      const meta: CheckpointMeta = {
        id,
        operationId,
        type,
        createdAt,
        ...(options.unit !== undefined ? { unit: options.unit } : {}),
        path: rel,
        state: { file: STATE_FILE, sha256: sha256(stateBytes), bytes: stateBytes.length },
        artifacts: records,
      };
      this.db.update((d) => {
        d.checkpoints.push(meta);
      });
      return meta;
    } catch (e) {
      // Only our own, never-indexed folder is removed.
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Loads a checkpoint by id, verifying the state file and every artifact against the index. */
  load<S = unknown>(checkpointId: string): LoadedCheckpoint<S> {
    const meta = this.db.read().checkpoints.find((c) => c.id === checkpointId);
    if (meta === undefined) throw new CheckpointError(`no checkpoint "${checkpointId}" in ${this.indexPath}; see: stratlab checkpoints list`);
    return this.loadMeta<S>(meta);
  }

  /** Loads the newest checkpoint of an operation (verified). */
  loadLatest<S = unknown>(operationId: string): LoadedCheckpoint<S> {
    const all = this.db.read().checkpoints.filter((c) => c.operationId === operationId);
    const meta = all[all.length - 1];
    if (meta === undefined) throw new CheckpointError(`operation ${operationId} has no checkpoint in ${this.indexPath}; there is nothing to resume from`);
    try {
      return this.loadMeta<S>(meta);
    } catch (e) {
      const earlier = all[all.length - 2];
      if (e instanceof CheckpointError && earlier !== undefined) {
        throw new CheckpointError(`${e.message}; an earlier checkpoint ${earlier.id} (${earlier.type}${earlier.unit !== undefined ? ` at unit ${earlier.unit}` : ""}) exists: delete ${meta.id} to resume from it`);
      }
      throw e;
    }
  }

  /** The newest checkpoint's metadata, without loading it. */
  latest(operationId: string): CheckpointMeta | undefined {
    const all = this.db.read().checkpoints.filter((c) => c.operationId === operationId);
    return all[all.length - 1];
  }

  /** Index entry by id. */
  find(checkpointId: string): CheckpointMeta | undefined {
    return this.db.read().checkpoints.find((c) => c.id === checkpointId);
  }

  list(filter: CheckpointFilter = {}): CheckpointListing[] {
    const now = this.clock.now();
    const olderThan = filter.olderThan !== undefined ? toMs(filter.olderThan, "older-than") : undefined;
    const newerThan = filter.newerThan !== undefined ? toMs(filter.newerThan, "newer-than") : undefined;
    const ops = new Map<string, OperationRecord>();
    for (const o of this.operations.all()) ops.set(o.id, o);
    const out: CheckpointListing[] = [];
    for (const c of this.db.read().checkpoints) {
      const op = ops.get(c.operationId);
      const ageMs = now - Date.parse(c.createdAt);
      const operationStatus = op ? effectiveStatus(op) : undefined;
      if (filter.operationId !== undefined && c.operationId !== filter.operationId) continue;
      if (filter.type !== undefined && c.type !== filter.type) continue;
      if (filter.operationType !== undefined && op?.type !== filter.operationType) continue;
      if (filter.status !== undefined && operationStatus !== filter.status) continue;
      if (olderThan !== undefined && ageMs < olderThan) continue;
      if (newerThan !== undefined && ageMs > newerThan) continue;
      const bytes = c.state.bytes + c.artifacts.reduce((s, a) => s + a.bytes, 0);
      out.push({ ...c, ...(op ? { operationType: op.type, operationStatus } : {}), bytes, ageMs });
    }
    return out;
  }

  /** Removes one checkpoint: its index entry first, then its folder. */
  delete(checkpointId: string): CheckpointMeta {
    const meta = this.db.update((d) => {
      const i = d.checkpoints.findIndex((c) => c.id === checkpointId);
      if (i < 0) throw new CheckpointError(`no checkpoint "${checkpointId}" in ${this.indexPath}; see: stratlab checkpoints list`);
      return d.checkpoints.splice(i, 1)[0]!;
    });
    rmSync(join(this.root, meta.path), { recursive: true, force: true });
    return meta;
  }

  /** Removes every checkpoint of an operation and its folder (with any unlisted leftovers). */
  deleteOperation(operationId: string): CheckpointMeta[] {
    checkName(operationId, "operation id");
    const removed = this.db.update((d) => {
      const gone = d.checkpoints.filter((c) => c.operationId === operationId);
      d.checkpoints = d.checkpoints.filter((c) => c.operationId !== operationId);
      return gone;
    });
    rmSync(join(this.root, operationId), { recursive: true, force: true });
    return removed;
  }

  /**
   * Removes checkpoints older than `maxAge` (index entry, then folder), skipping those of
   * operations that are running and `final` ones (stored results) unless `includeFinal`, and folders no index entry points at that are as old.
   */
  cleanup(options: {
    maxAge: number | string;
    dryRun?: boolean;
    /** Remove `final` checkpoints too (by default they are kept and listed as skipped). */
    includeFinal?: boolean;
    /** Keep `final` checkpoints (results) whatever their age. */
    keepFinal?: boolean;
    /** Operations whose checkpoints are about to be used (e.g. a queued resume): skipped like running ones, with this reason. */
    busy?: ReadonlyMap<string, string>;
  }): CleanupResult {
    const maxAgeMs = toMs(options.maxAge, "max-age");
    const dryRun = options.dryRun === true;
    const includeFinal = options.includeFinal === true;
    const now = this.clock.now();
    const ops = new Map(this.operations.all().map((o) => [o.id, o] as const));
    const running = (opId: string) => {
      const op = ops.get(opId);
      return op !== undefined && isRunning(op);
    };
    const skipped: CleanupResult["skipped"] = [];
    const doomed = new Set<string>();
    const index = this.db.read();
    for (const c of index.checkpoints) {
      if (now - Date.parse(c.createdAt) < maxAgeMs) continue;
      if (options.keepFinal === true && c.type === "final") continue;
      const busy = options.busy?.get(c.operationId);
      if (busy !== undefined) skipped.push({ id: c.id, operationId: c.operationId, reason: busy });
      else if (running(c.operationId)) skipped.push({ id: c.id, operationId: c.operationId, reason: `operation ${c.operationId} is running (pid ${ops.get(c.operationId)!.pid})` });
      // A final checkpoint holds a stored result (backtest, training), not a way to resume.
      else if (c.type === "final" && !includeFinal) skipped.push({ id: c.id, operationId: c.operationId, reason: "a final checkpoint (a stored result); --include-final removes it" });
      else doomed.add(c.id);
    }
    let removed: CheckpointMeta[] = index.checkpoints.filter((c) => doomed.has(c.id));
    if (!dryRun && doomed.size > 0) {
      removed = this.db.update((d) => {
        const gone = d.checkpoints.filter((c) => doomed.has(c.id));
        d.checkpoints = d.checkpoints.filter((c) => !doomed.has(c.id));
        return gone;
      });
      for (const c of removed) rmSync(join(this.root, c.path), { recursive: true, force: true });
    }
    const orphans = this.sweepOrphans(now, maxAgeMs, running, dryRun);
    return { maxAgeMs, dryRun, removed, skipped, orphans };
  }

  /** Checkpoint folders (`<op>/ck-*`) without an index entry, older than maxAge, of operations not running. */
  private sweepOrphans(now: number, maxAgeMs: number, running: (opId: string) => boolean, dryRun: boolean): string[] {
    if (!existsSync(this.root)) return [];
    const listed = new Set(this.db.read().checkpoints.map((c) => c.path));
    const orphans: string[] = [];
    for (const op of readdirSync(this.root, { withFileTypes: true })) {
      if (!op.isDirectory() || !NAME_RE.test(op.name) || running(op.name)) continue;
      const opDir = join(this.root, op.name);
      for (const ck of readdirSync(opDir, { withFileTypes: true })) {
        if (!ck.isDirectory() || !ck.name.startsWith("ck-") || listed.has(`${op.name}/${ck.name}`)) continue;
        const dir = join(opDir, ck.name);
        if (now - statSync(dir).mtimeMs < maxAgeMs) continue;
        orphans.push(`${op.name}/${ck.name}`);
        if (!dryRun) rmSync(dir, { recursive: true, force: true });
      }
      if (!dryRun && ![...listed].some((p) => p.startsWith(`${op.name}/`))) {
        // An operation folder left with nothing indexed: only a stale cancel marker may remain.
        const rest = readdirSync(opDir).filter((n) => n !== CANCEL_REQUEST_FILE);
        if (rest.length === 0) rmSync(opDir, { recursive: true, force: true });
      }
    }
    return orphans;
  }

  private loadMeta<S>(meta: CheckpointMeta): LoadedCheckpoint<S> {
    const dir = join(this.root, meta.path);
    const stateBytes = this.readVerified(meta, meta.state.file, meta.state.sha256, "state file");
    let envelope: StateFile<S>;
    try {
      envelope = JSON.parse(stateBytes.toString("utf8")) as StateFile<S>;
    } catch (e) {
      throw new CheckpointError(`checkpoint ${meta.id}: state file ${join(dir, meta.state.file)} is not valid JSON (${oneLine((e as Error).message)}) although its sha256 matches the index; restore it or delete the checkpoint (stratlab checkpoints delete ${meta.id})`);
    }
    const artifacts: Record<string, Buffer> = {};
    for (const a of meta.artifacts) artifacts[a.name] = this.readVerified(meta, a.file, a.sha256, `artifact "${a.name}"`);
    return { meta, state: envelope.state, artifacts, dir };
  }

  private readVerified(meta: CheckpointMeta, file: string, expected: string, what: string): Buffer {
    const path = join(this.root, meta.path, file);
    const fix = `restore the file, or delete the checkpoint (stratlab checkpoints delete ${meta.id}); nothing was deleted`;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "is missing" : `cannot be read (${(e as Error).message})`;
      throw new CheckpointError(`checkpoint ${meta.id}: ${what} ${path} ${why}; ${fix}`);
    }
    const actual = sha256(bytes);
    if (actual !== expected) {
      throw new CheckpointError(`checkpoint ${meta.id}: ${what} ${path} is corrupt (sha256 ${actual.slice(0, 12)}…, index says ${expected.slice(0, 12)}…); ${fix}`);
    }
    return bytes;
  }
}

/** The file a cancel request is written to: `<root>/<operation>/cancel-requested`. */
export const CANCEL_REQUEST_FILE = "cancel-requested";

export function checkName(name: string, what: string): void {
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw new UsageError(`${what} ${JSON.stringify(name)} must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
}

/** JSON text of the state file; refuses values JSON would silently mangle. */
function serialiseState(envelope: StateFile<unknown>, operationId: string): string {
  const refuse = (key: string, what: string, fix: string) =>
    new CheckpointError(`checkpoint state of operation ${operationId} cannot be saved as JSON: "${key}" is ${what}; ${fix}`);
  return JSON.stringify(envelope, function (key, value: unknown) {
    if (typeof value === "number" && !Number.isFinite(value)) throw refuse(key, String(value), "store null or a string, or pass the values as an artifact");
    if (ArrayBuffer.isView(value)) throw refuse(key, `a ${value.constructor.name}`, "convert it with Array.from() or pass its bytes as an artifact");
    if (value instanceof Map || value instanceof Set) throw refuse(key, `a ${value.constructor.name}`, "convert it to an array or object");
    if (typeof value === "bigint" || typeof value === "function" || typeof value === "symbol") throw refuse(key, `a ${typeof value}`, "store plain JSON values only");
    return value;
  });
}

function validateIndex(data: unknown): CheckpointIndex | string {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "expected a JSON object";
  const d = data as Partial<CheckpointIndex>;
  if (d.format !== "stratlab-checkpoints") return `"format" is ${JSON.stringify(d.format)}, expected "stratlab-checkpoints"`;
  if (d.version !== 1) return `"version" is ${JSON.stringify(d.version)}, this stratlab reads version 1`;
  if (!Array.isArray(d.checkpoints)) return `"checkpoints" is not an array`;
  for (const [i, c] of d.checkpoints.entries()) {
    const bad =
      typeof c !== "object" || c === null ? "is not an object"
      : typeof c.id !== "string" || typeof c.operationId !== "string" || typeof c.path !== "string" ? "lacks id, operationId or path"
      : c.path !== `${c.operationId}/${c.id}` || !NAME_RE.test(c.operationId) || !NAME_RE.test(c.id) ? `has path ${JSON.stringify(c.path)}, expected "<operationId>/<id>"`
      : !CHECKPOINT_TYPES.includes(c.type) ? `has unknown type ${JSON.stringify(c.type)}`
      : typeof c.state?.sha256 !== "string" || c.state?.file !== STATE_FILE ? "lacks its state file record"
      : !Array.isArray(c.artifacts) || c.artifacts.some((a) => typeof a?.sha256 !== "string" || typeof a?.name !== "string" || !NAME_RE.test(a.name) || a.file !== `${ARTIFACTS_DIR}/${a.name}`) ? "has a malformed artifacts list"
      : Number.isNaN(Date.parse(c.createdAt)) ? "has no valid createdAt"
      : "";
    if (bad) return `checkpoints[${i}] ${bad}`;
  }
  return d as CheckpointIndex;
}
