/**
 * `<root>/serve/queue.json`: operations the server accepted (202) that no worker process has
 * recorded yet. An entry leaves the queue when its worker records the operation in
 * operations.json; a server restarted after a crash submits what is left again, and drops what
 * a worker already recorded: nothing accepted is lost, nothing runs twice. Entries cancelled
 * before they started stay, with `cancelled_at`, as the record of that operation.
 */
import { join } from "node:path";
import { JsonDb } from "../checkpoint/store/json-db";
import { API_TYPES, type ApiType } from "./types";

export interface QueueEntry {
  id: string;
  type: ApiType;
  kind: "start" | "resume";
  request: Record<string, unknown>;
  resume_of?: string;
  created_at: string;
  cancelled_at?: string;
}

interface QueueFile {
  format: "stratlab-serve-queue";
  version: 1;
  jobs: QueueEntry[];
}

export class JobQueue {
  private readonly db: JsonDb<QueueFile>;

  constructor(root: string) {
    this.db = new JsonDb<QueueFile>(join(root, "serve", "queue.json"), {
      empty: () => ({ format: "stratlab-serve-queue", version: 1, jobs: [] }),
      validate,
      what: "service queue",
      fix: "move it aside (operations already recorded are kept in operations.json)",
    });
  }

  all(): QueueEntry[] {
    return this.db.read().jobs;
  }

  find(id: string): QueueEntry | undefined {
    return this.all().find((j) => j.id === id);
  }

  add(entry: QueueEntry): void {
    this.db.update((d) => void d.jobs.push(entry));
  }

  remove(id: string): void {
    if (this.find(id) === undefined) return;
    this.db.update((d) => void (d.jobs = d.jobs.filter((j) => j.id !== id)));
  }

  markCancelled(id: string, at: string): QueueEntry | undefined {
    return this.db.update((d) => {
      const j = d.jobs.find((x) => x.id === id);
      if (j !== undefined) j.cancelled_at = at;
      return j === undefined ? undefined : { ...j };
    });
  }
}

function validate(data: unknown): QueueFile | string {
  const d = data as Partial<QueueFile> | null;
  if (typeof d !== "object" || d === null || d.format !== "stratlab-serve-queue" || d.version !== 1 || !Array.isArray(d.jobs)) return `expected {"format":"stratlab-serve-queue","version":1,"jobs":[...]}`;
  for (const [i, j] of d.jobs.entries()) {
    if (typeof j?.id !== "string" || !API_TYPES.includes(j.type) || (j.kind !== "start" && j.kind !== "resume")) return `jobs[${i}] is not a queue entry`;
  }
  return d as QueueFile;
}
