/**
 * The side file of a fetch in progress, `<out>.partial`: an append-only log, one answer per
 * line after a header naming what is fetched (the fetch identity, no secrets). Each answer
 * is written and fdatasync'ed as it arrives, so a fetch killed at any moment (kill -9
 * included) resumes with the same command and asks only for the sizes it lacks. A crash can
 * only tear the last line; reading drops it. Removed once the cache is written.
 */
import { closeSync, existsSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { CostError } from "../../errors";
import { writeFileAtomic } from "../../io/atomic";
import type { Answer } from "./answer";

export function partialPath(out: string): string {
  return `${out}.partial`;
}

export interface PartialFetch {
  readonly path: string;
  /** Answers already fetched, by size. */
  readonly answers: Map<number, Answer>;
  /** True when this file already existed (a resume). */
  readonly resumed: boolean;
  append(answer: Answer): void;
  close(): void;
  /** Close and delete (after the cache is written). */
  remove(): void;
}

function isAnswer(x: unknown): x is Answer {
  const a = x as Answer;
  return typeof a === "object" && a !== null && typeof a.size === "number" && typeof a.impact === "number" && typeof a.attempts === "number" && (a.gas === undefined || typeof a.gas === "number");
}

/** The first key whose value differs, for the refusal line. */
function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return `${k} ${JSON.stringify(b[k])} there, ${JSON.stringify(a[k])} here`;
  }
  return "";
}

export function openPartial(path: string, identity: Record<string, unknown>): PartialFetch {
  const answers = new Map<number, Answer>();
  const resumed = existsSync(path);
  if (!resumed) writeFileAtomic(path, JSON.stringify({ v: 1, identity }) + "\n");
  else {
    const text = readFileSync(path, "utf8");
    // segs[last] is what follows the last "\n": a torn line, or nothing.
    const segs = text.split("\n");
    let header: { v?: number; identity?: Record<string, unknown> } | undefined;
    try {
      header = segs.length > 1 ? (JSON.parse(segs[0]!) as typeof header) : undefined;
    } catch {
      header = undefined;
    }
    if (header?.v !== 1 || typeof header.identity !== "object") throw new CostError(`${path}: not a partial fetch this stratlab reads; delete it to start the fetch over`);
    const diff = firstDifference(identity, header.identity);
    if (diff !== "") throw new CostError(`${path} holds a partial fetch with other settings (${diff}); run the command that made it, or delete the file to start over`);
    let keep = segs[0]!.length + 1;
    for (let i = 1; i < segs.length - 1; i++) {
      let a: unknown;
      try {
        a = JSON.parse(segs[i]!);
      } catch {
        a = undefined;
      }
      if (!isAnswer(a)) {
        // Only the last line can be torn by a crash; damage before it is not repaired silently.
        if (i < segs.length - 2) throw new CostError(`${path} line ${i + 1} is not an answer; delete the file to start the fetch over`);
        break;
      }
      answers.set(a.size, a);
      keep += segs[i]!.length + 1;
    }
    if (keep < text.length) {
      const fd = openSync(path, "r+");
      try {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, keep)));
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
  let fd: number | undefined = openSync(path, "a");
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    path,
    answers,
    resumed,
    append(answer) {
      if (fd === undefined) throw new Error(`${path} is closed`);
      const line = Buffer.from(JSON.stringify(answer) + "\n", "utf8");
      let off = 0;
      while (off < line.length) off += writeSync(fd, line, off, line.length - off);
      fdatasyncSync(fd);
      answers.set(answer.size, answer);
    },
    close,
    remove() {
      close();
      unlinkSync(path);
    },
  };
}
