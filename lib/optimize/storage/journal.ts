/**
 * The trial journal: `trials.jsonl`, an append-only log with one finished trial per line
 * (after Optuna's journal storage). The state of a run is whatever replaying the log
 * gives, so any process can rebuild it and a crash can only tear the last line.
 *
 * - A line is done only when its "\n" is on disk: a batch is one write of whole lines,
 *   then fdatasync. A failed write is cut back to the last whole line.
 * - Reading drops a torn last line (unterminated, or terminated but not JSON) and
 *   reports it; opening for append first copies its bytes to `trials.jsonl.torn-<stamp>`
 *   and then truncates it away, so the next append starts on a clean line.
 * - Damage anywhere else (a bad line that is not the last, a wrong shape, one trial
 *   recorded twice) is a RunError naming file and line; the file is left untouched. A
 *   failed trial may get later lines (retries, --retry-failed): replay keeps the last.
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import type { EvalResult } from "../../engine/metrics";
import { PERIOD_KEYS } from "../../engine/periods";
import { RunError } from "../../errors";
import { fsyncDir } from "../../io/atomic";
import { dirname } from "node:path";
import { TRIAL_STATES, type TrialLine, type TrialResult, type TrialSummary } from "./types";
import { utcStamp } from "./run-dir";

/** The last line, dropped because a crash cut it (or never finished its "\n"). */
export interface TornTail {
  /** 1-based line number. */
  line: number;
  /** Byte length, including its "\n" when it had one. */
  bytes: number;
  /** The text (first 500 characters); the bytes themselves go to the .torn file. */
  text: string;
}

/** A damaged line skipped by `read({ skipCorrupt: true })`. */
export interface CorruptLine {
  line: number;
  bytes: number;
  text: string;
  reason: string;
}

export interface JournalRead<T> {
  /** In file order (which is completion order, not id order). */
  trials: T[];
  torn: TornTail | null;
  /** Always empty unless `skipCorrupt` (otherwise damage throws). */
  corrupt: CorruptLine[];
  /** Bytes of whole lines: the length the file has once the torn tail is cut. */
  cleanBytes: number;
}

export interface OpenedJournal<T> extends JournalRead<T> {
  /** Where the torn tail's bytes were saved before it was truncated away, or null. */
  tornBackup: string | null;
}

export interface JournalReadOptions {
  /**
   * false: return TrialSummary (no results) - what resume needs, about 7x faster on full
   * lines. The head of every line is parsed and checked in full; the results array is
   * only checked to close the line (its contents are checked by a full read).
   */
  results?: boolean;
  /** Report damaged lines in `corrupt` instead of throwing (for reports; never for appends). */
  skipCorrupt?: boolean;
}

const TEXT_CAP = 500;
const CHUNK_BYTES = 8 << 20;
/** Appends write `results` last, so a summary is the JSON before this key. */
const RESULTS_KEY_BYTES = Buffer.from(',"results":[');
const NL = 10;

export class TrialJournal {
  private fd: number | null = null;
  /** Bytes of whole lines on disk (the append offset). */
  private size = 0;
  private lineCount = 0;
  /** study -> id -> line number, to refuse recording a trial twice. */
  private ids = new Map<string, Map<number, number>>();
  /** Trials whose last line is "failed": the one case a trial may get another line (a retry). */
  private failed = new Set<string>();
  private broken: string | null = null;

  constructor(readonly path: string) {}

  /** Lines in the journal (after openForAppend and the appends since). */
  get lines(): number {
    return this.lineCount;
  }

  /** Whether trial `id` of `study` is recorded (after openForAppend). */
  has(study: string, id: number): boolean {
    return this.ids.get(study)?.has(id) ?? false;
  }

  /** Replay the journal without modifying it. A missing file reads as empty. */
  read(opts?: JournalReadOptions & { results?: true }): JournalRead<TrialLine>;
  read(opts: JournalReadOptions & { results: false }): JournalRead<TrialSummary>;
  read(opts: JournalReadOptions = {}): JournalRead<TrialLine | TrialSummary> {
    return scan(this.path, opts.results !== false, opts.skipCorrupt === true).read;
  }

  /**
   * Replay the journal strictly, cut a torn tail (after saving its bytes beside the
   * journal) and open it for appends. Creates the file when missing.
   */
  openForAppend(opts?: { results?: true }): OpenedJournal<TrialLine>;
  openForAppend(opts: { results: false }): OpenedJournal<TrialSummary>;
  openForAppend(opts: { results?: boolean } = {}): OpenedJournal<TrialLine | TrialSummary> {
    if (this.fd !== null) throw new Error(`${this.path} is already open for append`);
    const { read, ids, failed, fileBytes, lines } = scan(this.path, opts.results !== false, false);
    const tornBackup = read.torn ? saveTornBytes(this.path, read.cleanBytes, fileBytes) : null;
    let fd: number;
    try {
      fd = openSync(this.path, "a");
    } catch (e) {
      throw new RunError(`${this.path}: cannot open the trial journal for writing (${errCode(e)})`);
    }
    try {
      const now = fstatSync(fd).size;
      if (now !== fileBytes) {
        throw new RunError(`${this.path} changed while it was being opened (${fileBytes} -> ${now} bytes); is another process writing this run?`);
      }
      if (read.torn) {
        ftruncateSync(fd, read.cleanBytes);
        fdatasyncSync(fd);
      }
      if (fileBytes === 0) fsyncDir(dirname(this.path));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.fd = fd;
    this.size = read.cleanBytes;
    this.lineCount = lines;
    this.ids = ids;
    this.failed = failed;
    this.broken = null;
    return { ...read, tornBackup };
  }

  /**
   * Append whole lines: one write for the batch, then fdatasync. Lines are checked first
   * (shape, finite numbers, not already recorded); nothing is written if one is bad.
   */
  append(lines: readonly TrialLine[]): void {
    if (this.fd === null) throw new Error(`${this.path}: openForAppend before append`);
    if (this.broken) throw new RunError(this.broken);
    if (lines.length === 0) return;
    const batch = new Map<string, Set<number>>();
    let text = "";
    for (const l of lines) {
      const bad = checkShape(l, true) ?? checkNumbers(l);
      if (bad) throw new RunError(`${this.path}: cannot append trial ${String(l?.id)} of study "${String(l?.study)}": ${bad}`);
      const prev = this.ids.get(l.study)?.get(l.id);
      let seen = batch.get(l.study);
      if ((prev !== undefined && !this.failed.has(failedKey(l.study, l.id))) || seen?.has(l.id)) {
        const where = prev !== undefined ? `line ${prev}` : "the same batch";
        throw new RunError(`${this.path}: trial ${l.id} of study "${l.study}" is already recorded (${where}); each trial is appended once`);
      }
      if (!seen) batch.set(l.study, (seen = new Set()));
      seen.add(l.id);
      text += serialize(l) + "\n";
    }
    const buf = Buffer.from(text, "utf8");
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
      fdatasyncSync(this.fd);
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.size);
        fdatasyncSync(this.fd);
      } catch (e2) {
        this.broken = `${this.path}: a failed append (${errCode(e)}) could not be cut back (${errCode(e2)}); close the run and resume it, which drops the torn tail`;
        throw new RunError(this.broken);
      }
      throw new RunError(`${this.path}: could not append ${lines.length} trial(s) (${errCode(e)}); the journal was cut back to its last whole line`);
    }
    this.size += buf.length;
    for (const l of lines) {
      let m = this.ids.get(l.study);
      if (!m) this.ids.set(l.study, (m = new Map()));
      m.set(l.id, ++this.lineCount);
      if (l.state === "failed") this.failed.add(failedKey(l.study, l.id));
      else this.failed.delete(failedKey(l.study, l.id));
    }
  }

  /** Close the append handle (idempotent). */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}

/** A trial's results for the journal: an EvalResult without curves, fills or round trips. */
export function toTrialResult(r: EvalResult): TrialResult {
  const periods = {} as TrialResult["periods"];
  for (const k of PERIOD_KEYS) periods[k] = { ...r.periods[k] };
  return { trade_size: r.trade_size, ruined: r.ruined, aborted: r.aborted, over_max_bucket: r.over_max_bucket, periods };
}

/** The line as written: fixed key order, `results` last (see RESULTS_KEY_BYTES). */
function serialize(l: TrialLine): string {
  const o: Record<string, unknown> = {
    v: 1,
    id: l.id,
    study: l.study,
    params: l.params,
    value: l.value,
    state: l.state,
    started: l.started,
    finished: l.finished,
    worker: l.worker,
  };
  if (l.ruined === true) o.ruined = true;
  if (l.values !== undefined) o.values = l.values;
  if (l.error !== undefined) o.error = l.error;
  // Only the schema's fields: an EvalResult's curves or fills must not land in the journal.
  o.results = l.results.map((r) => ({ trade_size: r.trade_size, ruined: r.ruined, aborted: r.aborted, over_max_bucket: r.over_max_bucket, periods: r.periods }));
  return JSON.stringify(o);
}

interface ScanOutcome {
  read: JournalRead<TrialLine | TrialSummary>;
  ids: Map<string, Map<number, number>>;
  failed: Set<string>;
  lines: number;
  /** Bytes scanned (whole lines plus the torn tail). */
  fileBytes: number;
}

function scan(path: string, full: boolean, skipCorrupt: boolean): ScanOutcome {
  const trials: Array<TrialLine | TrialSummary> = [];
  const corrupt: CorruptLine[] = [];
  const ids = new Map<string, Map<number, number>>();
  const failed = new Set<string>();
  // Mutated from onLine (an object, so the compiler does not narrow it to its initial value).
  const st = {
    torn: null as TornTail | null,
    // A terminated line that is not JSON: torn if nothing follows it, damage otherwise.
    pending: null as CorruptLine | null,
    lineNo: 0,
    lines: 0,
    offset: 0, // file offset of the current line
    cleanBytes: 0,
  };

  const damage = (c: CorruptLine) => {
    if (!skipCorrupt) throw new RunError(`${path} line ${c.line}: ${c.reason}; the journal was left as it is - repair or remove that line by hand, then resume`);
    corrupt.push(c);
  };
  const flushPending = () => {
    const p = st.pending;
    st.pending = null;
    if (p) damage({ ...p, reason: `${p.reason}, and it is not the last line (so not a torn write)` });
  };

  /** Line `src[s, e)`, followed by "\n" unless it is the unterminated tail. */
  const onLine = (src: Buffer, s: number, e: number, terminated: boolean) => {
    const lineNo = ++st.lineNo;
    const size = e - s + (terminated ? 1 : 0);
    const end = (st.offset += size);
    flushPending();
    if (!terminated) {
      st.torn = { line: lineNo, bytes: size, text: cap(src.toString("utf8", s, e)) };
      return;
    }
    let t = full ? null : summaryOf(src, s, e);
    let text = "";
    if (t === null) {
      text = src.toString("utf8", s, e);
      const p = parseLine(text, full);
      if (p.syntax !== undefined) {
        st.pending = { line: lineNo, bytes: size, text: cap(text), reason: `not valid JSON (${p.syntax})` };
        return;
      }
      if (p.shape !== undefined) {
        st.cleanBytes = end;
        damage({ line: lineNo, bytes: size, text: cap(text), reason: p.shape });
        return;
      }
      t = p.line!;
    }
    st.cleanBytes = end;
    let m = ids.get(t.study);
    if (!m) ids.set(t.study, (m = new Map()));
    const first = m.get(t.id);
    const key = failedKey(t.study, t.id);
    if (first !== undefined && !failed.has(key)) {
      damage({
        line: lineNo,
        bytes: size,
        text: cap(text || src.toString("utf8", s, e)),
        reason: `trial ${t.id} of study "${t.study}" is recorded twice (lines ${first} and ${lineNo}); remove one of them`,
      });
    } else {
      // A later line of a failed trial is its retry: replay keeps the last one.
      m.set(t.id, lineNo);
      if (t.state === "failed") failed.add(key);
      else failed.delete(key);
      trials.push(t);
      st.lines++;
    }
  };

  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if (errCode(e) === "ENOENT") return { read: { trials, torn: null, corrupt, cleanBytes: 0 }, ids, failed, lines: 0, fileBytes: 0 };
    throw new RunError(`${path}: cannot read the trial journal (${errCode(e)})`);
  }
  let fileBytes = 0;
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(size, 1)));
    let carry: Buffer | null = null;
    // Read only what was there at the start: a run still appending does not move the end.
    while (fileBytes < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - fileBytes), fileBytes);
      if (n === 0) break;
      fileBytes += n;
      const view = n < buf.length ? buf.subarray(0, n) : buf;
      let s = 0;
      for (let nl = view.indexOf(NL, s); nl !== -1; nl = view.indexOf(NL, s)) {
        if (carry) {
          const joined = Buffer.concat([carry, view.subarray(s, nl)]);
          onLine(joined, 0, joined.length, true);
          carry = null;
        } else {
          onLine(view, s, nl, true);
        }
        s = nl + 1;
      }
      // The buffer is reused by the next read: keep a copy of the unfinished line.
      if (s < n) carry = carry ? Buffer.concat([carry, view.subarray(s)]) : Buffer.from(view.subarray(s));
    }
    if (carry) onLine(carry, 0, carry.length, false);
  } finally {
    closeSync(fd);
  }
  const p = st.pending;
  if (p) st.torn = { line: p.line, bytes: p.bytes, text: p.text };
  return { read: { trials, torn: st.torn, corrupt, cleanBytes: st.cleanBytes }, ids, failed, lines: st.lines, fileBytes };
}

/**
 * The summary of a line in our layout, decoding only the bytes before `results` (most of
 * a line is results); null when the line is not in that layout or not valid, for the
 * caller to parse it whole.
 */
function summaryOf(src: Buffer, s: number, e: number): TrialSummary | null {
  // The closing "]}" of results, checked on bytes; the search is bounded to the line.
  if (e - s < 2 || src[e - 1] !== 0x7d || src[e - 2] !== 0x5d) return null;
  const k = src.subarray(s, e).indexOf(RESULTS_KEY_BYTES);
  if (k <= 0) return null;
  // Close the object where results begin: the "," becomes "}" for this one decode.
  const at = s + k;
  src[at] = 0x7d;
  let o: unknown;
  try {
    o = JSON.parse(src.toString("utf8", s, at + 1));
  } catch {
    return null;
  } finally {
    src[at] = 0x2c;
  }
  return checkShape(o, false) === null ? (o as TrialSummary) : null;
}

function parseLine(text: string, full: boolean): { line?: TrialLine | TrialSummary; syntax?: string; shape?: string } {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return { syntax: (e as Error).message };
  }
  const bad = checkShape(o, true);
  if (bad) return { shape: bad };
  if (full) return { line: o as TrialLine };
  const { results: _results, ...summary } = o as TrialLine;
  return { line: summary };
}

/** A cheap check of a line's shape: the fields resume and reports rely on. */
function checkShape(x: unknown, withResults: boolean): string | null {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return "not a JSON object";
  const o = x as Record<string, unknown>;
  if (o.v !== 1) {
    return typeof o.v === "number" ? `format version ${o.v} (this stratlab reads version 1; use the stratlab that wrote it)` : "no format version (v)";
  }
  if (typeof o.id !== "number" || !Number.isInteger(o.id) || o.id < 0) return `id ${JSON.stringify(o.id)} is not a trial id (a whole number >= 0)`;
  if (typeof o.study !== "string" || o.study === "") return `study ${JSON.stringify(o.study)} is not a study key`;
  if (!(TRIAL_STATES as readonly unknown[]).includes(o.state)) return `state ${JSON.stringify(o.state)} is not one of ${TRIAL_STATES.join(", ")}`;
  if (o.value !== null && typeof o.value !== "number") return `value ${JSON.stringify(o.value)} is neither a number nor null`;
  if (typeof o.params !== "object" || o.params === null || Array.isArray(o.params)) return "params is not an object";
  const params = o.params as Record<string, unknown>;
  for (const k in params) {
    const t = typeof params[k];
    if (t !== "number" && t !== "string" && t !== "boolean") return `parameter ${k} is ${JSON.stringify(params[k])}, not a number, string or boolean`;
  }
  // Times and worker feed only the dashboard's timeline: a line without them still loads.
  if ((o.started !== undefined && typeof o.started !== "string") || (o.finished !== undefined && typeof o.finished !== "string")) return "started/finished are not ISO time strings";
  if (o.worker !== undefined && (typeof o.worker !== "number" || !Number.isInteger(o.worker))) return `worker ${JSON.stringify(o.worker)} is not a worker index`;
  if (o.error !== undefined && typeof o.error !== "string") return "error is not a string";
  if (o.values !== undefined && !(Array.isArray(o.values) && o.values.every((v) => v === null || typeof v === "number"))) return "values is not a list of numbers or nulls";
  if (withResults && !Array.isArray(o.results)) return "results is not an array";
  return null;
}

/** JSON cannot hold NaN or Infinity (they would come back as null): refuse them at the write. */
function checkNumbers(l: TrialLine): string | null {
  if (l.value !== null && !Number.isFinite(l.value)) return `value is ${l.value}; record a trial without a finite value as failed with value null`;
  for (const v of l.values ?? []) if (v !== null && !Number.isFinite(v)) return `values holds ${v}; use null for a missing value`;
  for (const [k, v] of Object.entries(l.params)) if (typeof v === "number" && !Number.isFinite(v)) return `parameter ${k} is ${v}`;
  for (const r of l.results) {
    if (typeof r !== "object" || r === null || typeof r.periods !== "object" || r.periods === null) return "a result has no periods";
    if (!Number.isFinite(r.trade_size)) return `trade_size is ${r.trade_size}`;
    for (const [p, metrics] of Object.entries(r.periods)) {
      if (typeof metrics !== "object" || metrics === null) return `period ${p} of trade size ${r.trade_size} is not a metric record`;
      for (const [m, v] of Object.entries(metrics)) {
        if (typeof v !== "number" || !Number.isFinite(v)) return `metric ${m} of period ${p}, trade size ${r.trade_size} is ${v}`;
      }
    }
  }
  return null;
}

/** Copy bytes [from, to) of the journal to a new `<journal>.torn-<stamp>` file, durably. */
function saveTornBytes(path: string, from: number, to: number): string {
  const bytes = Buffer.alloc(to - from);
  const rfd = openSync(path, "r");
  try {
    let off = 0;
    while (off < bytes.length) {
      const n = readSync(rfd, bytes, off, bytes.length - off, from + off);
      if (n === 0) throw new RunError(`${path} shrank while its torn tail was being saved; is another process writing this run?`);
      off += n;
    }
  } finally {
    closeSync(rfd);
  }
  const base = `${path}.torn-${utcStamp(new Date())}`;
  for (let i = 0; ; i++) {
    const target = i === 0 ? base : `${base}-${i}`;
    let fd: number;
    try {
      fd = openSync(target, "wx");
    } catch (e) {
      if (errCode(e) === "EEXIST" && i < 1000) continue;
      throw new RunError(`${target}: cannot save the torn tail of the journal (${errCode(e)}); the journal was not changed`);
    }
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    fsyncDir(dirname(target));
    return target;
  }
}

function cap(text: string): string {
  return text.length > TEXT_CAP ? text.slice(0, TEXT_CAP) + "…" : text;
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);
}

function failedKey(study: string, id: number): string {
  return `${study}\u0000${id}`;
}
