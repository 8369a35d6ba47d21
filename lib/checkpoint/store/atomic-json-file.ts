/**
 * A lowdb sync adapter for one JSON file whose every write is atomic (temp file, fsync,
 * rename, fsync dir: lib/io/atomic.ts) — lowdb's own TextFile adapter does not fsync.
 * A file that exists but does not parse or does not have the expected shape raises a
 * CheckpointError naming it; it is never replaced, because lowdb only writes after a
 * successful read.
 */
import { readFileSync } from "node:fs";
import { CheckpointError } from "../../errors";
import { writeFileAtomic } from "../../io/atomic";

/** lowdb's SyncAdapter<T>, restated: lowdb is ESM-only and its types cannot be named from CommonJS. */
export interface SyncAdapter<T> {
  read(): T | null;
  write(data: T): void;
}

export class AtomicJsonFile<T> implements SyncAdapter<T> {
  constructor(
    readonly path: string,
    /** Checks the parsed value and returns it typed, or returns a reason it is not valid. */
    private readonly validate: (data: unknown) => T | string,
    /** What the file is, for messages ("checkpoint index"). */
    private readonly what: string,
    /** What the user can do about a corrupt file. */
    private readonly fix: string,
  ) {}

  /** The file's content, or null when it does not exist yet. */
  read(): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new CheckpointError(`cannot read ${this.what} ${this.path}: ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw this.corrupt(`is not valid JSON (${oneLine((e as Error).message)})`);
    }
    const v = this.validate(parsed);
    if (typeof v === "string") throw this.corrupt(v);
    return v;
  }

  write(data: T): void {
    writeFileAtomic(this.path, JSON.stringify(data, null, 1) + "\n");
  }

  private corrupt(why: string): CheckpointError {
    return new CheckpointError(`${this.what} ${this.path} is corrupt: ${why}; it was left untouched — ${this.fix}`);
  }
}

export function oneLine(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 160 ? t.slice(0, 157) + "..." : t;
}
