/**
 * A small JSON database file kept with lowdb (LowSync over AtomicJsonFile). Reads are
 * lock-free (writes are atomic renames, so a reader sees a whole file). Every change is a
 * read-modify-write under an exclusive lock file, so two processes (a running backtest saving
 * checkpoints and a `stratlab checkpoints cleanup`) never lose each other's updates.
 */
import { basename, dirname, join } from "node:path";
import { CheckpointError } from "../../errors";
import { AtomicJsonFile } from "./atomic-json-file";
import { withLockSync } from "./lock-file";

// lowdb is ESM-only. Node >= 20.19 can require() it from this CommonJS build, but
// TypeScript 5.0 (what `npx tsc` resolves to here) refuses a static import, so the types come
// from a dynamic-import expression (never called) and the value from require().
const importLowdb = () => import("lowdb");
type Lowdb = Awaited<ReturnType<typeof importLowdb>>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LowSync } = require("lowdb") as Lowdb;

const LOCK_WAIT_MS = 10_000;

export interface JsonDbOptions<T> {
  /** A fresh document for a file that does not exist yet. */
  empty: () => T;
  validate: (data: unknown) => T | string;
  /** For messages: "checkpoint index". */
  what: string;
  /** What to do about a corrupt file. */
  fix: string;
  /** Lock file path (default `<dir>/.locks/<name>.lock`). */
  lockPath?: string;
}

export class JsonDb<T> {
  readonly lockPath: string;
  private readonly adapter: AtomicJsonFile<T>;

  constructor(
    readonly path: string,
    private readonly options: JsonDbOptions<T>,
  ) {
    this.adapter = new AtomicJsonFile(path, options.validate, options.what, options.fix);
    this.lockPath = options.lockPath ?? join(dirname(path), ".locks", `${basename(path)}.lock`);
  }

  /** The current document (the empty one when the file does not exist). */
  read(): T {
    const db = new LowSync<T>(this.adapter, this.options.empty());
    db.read();
    return db.data;
  }

  /** Reads under the lock, lets `fn` change the document in place, writes it back atomically. */
  update<R>(fn: (data: T) => R): R {
    return withLockSync(
      this.lockPath,
      `update ${basename(this.path)}`,
      () => {
        const db = new LowSync<T>(this.adapter, this.options.empty());
        db.read();
        const result = fn(db.data);
        db.write();
        return result;
      },
      {
        waitMs: LOCK_WAIT_MS,
        onTimeout: (h) =>
          new CheckpointError(
            `${this.options.what} ${this.path} stayed locked for ${LOCK_WAIT_MS / 1000}s${h ? ` by pid ${h.pid} on ${h.host}` : ""}; if no stratlab process is running, delete ${this.lockPath}`,
          ),
      },
    );
  }
}
