/**
 * Trial journal replay: reading 100,000 lines of two interleaved studies, as resume does
 * (summaries: no results) and as a report does (full lines), against the floor of a bare
 * loop that splits the file and JSON.parses every line; and 100,000 result-less lines
 * (failed trials) read in full. Lines are those `TrialJournal.append` writes (every metric
 * of every period, full-precision doubles). Also the two durable writes the runner makes
 * per batch of a study: appending a chunk of trial lines (write + fdatasync) and the
 * checkpoint (temp file, fsync, rename, fsync of the folder). Medians of 3 (after one untimed read, except
 * for the slow full reads), wall and CPU time.
 */
import { appendFileSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { TrialJournal, type TrialLine } from "../lib/optimize/storage";
import { writeCheckpoint } from "../lib/optimize/storage/run-dir";
import { median, medianTiming, timeIt } from "./measure";
import type { BenchContext, Section, SectionOutput } from "./section";
import { line } from "./synthetic-trials";

const LINES = 100_000;
const RUNS = 3;
const STUDY = "sma_cross|mar|1y";
const OTHER = "rsi_reversion|cps|90d";


/** A journal of `n` lines, two studies interleaved: one line as append writes it, repeated with new ids (fast to build). */
function journalOf(dir: string, name: string, template: TrialLine, n: number): TrialJournal {
  const j = new TrialJournal(join(dir, name));
  j.openForAppend();
  j.append([template]);
  j.close();
  const text = readFileSync(j.path, "utf8");
  const head = `{"v":1,"id":0,"study":"${STUDY}"`;
  if (!text.startsWith(head)) throw new Error(`the journal's line format changed; bench/storage.ts expects lines to start with ${head}`);
  const tail = text.slice(head.length);
  for (let i = 1; i < n; i += 10_000) {
    let chunk = "";
    for (let id = i; id < Math.min(n, i + 10_000); id++) chunk += `{"v":1,"id":${id >> 1},"study":"${id % 2 ? OTHER : STUDY}"${tail}`;
    appendFileSync(j.path, chunk);
  }
  return j;
}

/** The floor: read the file, split it, JSON.parse every line, keep the objects. */
function bareRead(path: string): unknown[] {
  const buf = readFileSync(path);
  const out: unknown[] = [];
  for (let s = 0, e = buf.indexOf(10); e !== -1; s = e + 1, e = buf.indexOf(10, s)) out.push(JSON.parse(buf.toString("utf8", s, e)));
  return out;
}

interface ReadFigures {
  read: string;
  lines: number;
  mb: number;
  wall_ms: number;
  cpu_ms: number;
  klines_per_s: number;
}

function run(ctx: BenchContext): SectionOutput {
  const dir = ctx.tempDir("journal");
  ctx.progress(`storage: writing ${LINES.toLocaleString("en-US")}-line journals`);
  const full = journalOf(dir, "full.jsonl", line(0), LINES);
  const failed = journalOf(dir, "failed.jsonl", line(0, STUDY, { state: "failed", value: null, results: [], error: "ParamError: fast must be < slow" }), LINES);
  const rows: ReadFigures[] = [];
  // A full read of 100k lines takes seconds: its first call warms the JIT well enough.
  const measure = (read: string, path: string, f: () => number, warm = 1) => {
    ctx.progress(`storage: ${read}`);
    let n = 0;
    const t = medianTiming(RUNS, () => void (n = f()), warm);
    if (n !== LINES) throw new Error(`${read}: read ${n} lines, expected ${LINES}`);
    rows.push({ read, lines: n, mb: statSync(path).size / 1e6, wall_ms: t.wall, cpu_ms: t.cpu, klines_per_s: n / t.wall });
  };
  measure("summaries (resume): read({ results: false })", full.path, () => full.read({ results: false }).trials.length);
  measure("full lines (report): read()", full.path, () => full.read().trials.length, 0);
  measure("floor: split + JSON.parse per line", full.path, () => bareRead(full.path).length, 0);
  measure("result-less lines (failed trials): read()", failed.path, () => failed.read().trials.length);
  const ms = (i: number) => rows[i].wall_ms;

  // The runner's durable writes, in a temp folder on the same disk as reports/ here.
  ctx.progress("storage: durable writes");
  const writes: Array<{ write: string; wall_ms: number; cpu_ms: number }> = [];
  const durable = (write: string, f: (i: number) => void, n = 30) => {
    f(-1);
    const ts = Array.from({ length: n }, (_, i) => timeIt(() => f(i)));
    writes.push({ write, wall_ms: median(ts.map((t) => t.wall)), cpu_ms: median(ts.map((t) => t.cpu)) });
  };
  const appender = new TrialJournal(join(dir, "append.jsonl"));
  appender.openForAppend();
  const chunk = (i: number) => Array.from({ length: 8 }, (_, k) => line(8 * (i + 1) + k));
  durable("append 8 trial lines (write + fdatasync)", (i) => appender.append(chunk(i)));
  appender.close();
  const checkpoint = { trials_done: 400, studies: { [STUDY]: { next_trial_id: 400, trials_done: 400, best: { id: 7, value: 1.25, params: { fast: 12, slow: 200 } } } } };
  durable("writeCheckpoint (temp + fsync + rename + fsync dir)", () => void writeCheckpoint(dir, checkpoint));
  const ratios = { full_over_floor: ms(1) / ms(2), full_over_summaries: ms(1) / ms(0) };
  return {
    tables: [
      {
        title: `Trial journal replay, ${LINES.toLocaleString("en-US")} lines, two studies (median of ${RUNS})`,
        columns: ["read", "lines", "MB", "wall ms", "cpu ms", "k lines/s"],
        rows: rows.map((r) => [r.read, r.lines, r.mb, r.wall_ms, r.cpu_ms, r.klines_per_s]),
        notes: [
          `full / floor = ${ratios.full_over_floor.toFixed(2)} (the journal's checks on top of JSON.parse); full / summaries = ${ratios.full_over_summaries.toFixed(1)}x.`,
          "cpu ms includes the GC's helper threads, so it can exceed wall ms.",
        ],
      },
      {
        title: "Durable writes the runner makes per batch of a study (median of 30)",
        columns: ["write", "wall ms", "cpu ms"],
        rows: writes.map((w) => [w.write, w.wall_ms, w.cpu_ms]),
        notes: ["A batch of 16 on 2 workers is 2 appends and 1 checkpoint, on the main thread between the batch's evaluation and the next proposal."],
      },
    ],
    figures: { lines: LINES, runs: RUNS, reads: rows, ratios, durable_writes: writes },
  };
}

export const storageSection: Section = { name: "storage", title: "Storage", run };
