/** `<root>/operations.json`: one record per operation (id, type, status, request, pid, links). */
import { join } from "node:path";
import { quote, UsageError } from "../../errors";
import type { OperationRecord, OperationsFile, OperationStatus, OperationType } from "../types";
import { OPERATION_STATUSES, OPERATION_TYPES } from "../types";
import { JsonDb } from "./json-db";
import { HOST, isProcessAlive } from "./lock-file";

export const OPERATIONS_FILE = "operations.json";

/** Operation ids become folder names under the root: the checkpoint service's name rule. */
const OPERATION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class OperationStore {
  readonly path: string;
  private readonly db: JsonDb<OperationsFile>;

  constructor(readonly root: string) {
    this.path = join(root, OPERATIONS_FILE);
    this.db = new JsonDb<OperationsFile>(this.path, {
      empty: () => ({ format: "stratlab-operations", version: 1, operations: [] }),
      validate: validateOperations,
      what: "operations registry",
      fix: "restore it from a backup, or move it aside to start a new registry (checkpoints are kept in index.json)",
    });
  }

  all(): OperationRecord[] {
    return this.db.read().operations;
  }

  find(id: string): OperationRecord | undefined {
    return this.all().find((o) => o.id === id);
  }

  get(id: string): OperationRecord {
    const op = this.find(id);
    if (op === undefined) throw new UsageError(`no operation "${id}" in ${this.path}; see: stratlab operations list`);
    return op;
  }

  add(record: OperationRecord): void {
    this.db.update((d) => {
      if (d.operations.some((o) => o.id === record.id)) throw new UsageError(`operation "${record.id}" already exists in ${this.path}`);
      d.operations.push(record);
    });
  }

  /** Applies `patch` to one record (and stamps updatedAt); returns the new record. */
  patch(id: string, patch: Partial<Omit<OperationRecord, "id">>, now = new Date()): OperationRecord {
    return this.db.update((d) => {
      const op = d.operations.find((o) => o.id === id);
      if (op === undefined) throw new UsageError(`no operation "${id}" in ${this.path}; see: stratlab operations list`);
      Object.assign(op, patch, { updatedAt: now.toISOString() });
      return { ...op };
    });
  }

  /**
   * Operations recorded as running whose process has gone (killed, crashed, power loss)
   * become `failed`, so they can be resumed and cleaned up. Only pids on this host are checked.
   */
  reconcile(now = new Date()): void {
    if (!this.all().some((o) => o.status === "running" && !isRunning(o))) return;
    this.db.update((d) => {
      for (const o of d.operations) {
        if (o.status === "running" && !isRunning(o)) {
          o.status = "failed";
          o.error = `process ${o.pid} ended without recording an outcome (killed or crashed)`;
          o.updatedAt = now.toISOString();
        }
      }
    });
  }
}

/** Running and its process is alive (a process on another host is assumed alive). */
export function isRunning(op: OperationRecord): boolean {
  return op.status === "running" && (op.host !== HOST || isProcessAlive(op.pid));
}

/** The status to show: a `running` record whose process has gone is `failed`. */
export function effectiveStatus(op: OperationRecord): OperationStatus {
  return op.status === "running" && !isRunning(op) ? "failed" : op.status;
}

function validateOperations(data: unknown): OperationsFile | string {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "expected a JSON object";
  const d = data as Partial<OperationsFile>;
  if (d.format !== "stratlab-operations") return `"format" is ${JSON.stringify(d.format)}, expected "stratlab-operations"`;
  if (d.version !== 1) return `"version" is ${JSON.stringify(d.version)}, this stratlab reads version 1`;
  if (!Array.isArray(d.operations)) return `"operations" is not an array`;
  for (const [i, o] of d.operations.entries()) {
    const bad =
      typeof o !== "object" || o === null ? "is not an object"
      : typeof o.id !== "string" || !OPERATION_ID_RE.test(o.id) ? `has id ${quote(o.id)}, which is not an operation id (letters, digits, ".", "_", "-")`
      : [o.resumedFrom, o.resumedBy].some((x) => x !== undefined && (typeof x !== "string" || !OPERATION_ID_RE.test(x))) ? "has a resumedFrom or resumedBy that is not an operation id"
      : !OPERATION_TYPES.includes(o.type as OperationType) ? `has unknown type ${JSON.stringify(o.type)}`
      : !OPERATION_STATUSES.includes(o.status as OperationStatus) ? `has unknown status ${JSON.stringify(o.status)}`
      : typeof o.pid !== "number" ? "has no pid"
      : "";
    if (bad) return `operations[${i}] ${bad}`;
  }
  return d as OperationsFile;
}
