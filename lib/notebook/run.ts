/**
 * Execute a notebook headlessly (`jupyter nbconvert --to notebook --execute`) and say which
 * cells failed and why. tslab reports a failing cell only through the reply status and
 * its stderr output (no error output), and nbconvert stops without writing anything on a
 * failure; so the run keeps going past errors (--allow-errors) while a hook marks each
 * failing cell, and the failures are read back from the executed copy.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { nbconvertCommand, type NbconvertOptions } from "./jupyter";

/** The metadata key the hook sets on a failing cell. */
const FAILED_KEY = "stratlab_failed";

/** nbconvert config: nbclient's on_cell_error hook marks the cell (runs even with allow_errors). */
const MARK_FAILURES = `# Written by stratlab (lib/notebook/run.ts): mark cells whose execution failed.
def _mark_failed(cell, cell_index, execute_reply):
    cell.metadata["${FAILED_KEY}"] = True

c.ExecutePreprocessor.on_cell_error = _mark_failed
`;

export interface CellFailure {
  /** 0-based index among all cells. */
  index: number;
  source: string;
  /** What the cell wrote to stderr plus any error outputs, as text. */
  output: string;
}

export interface NotebookRun {
  notebook: string;
  /** The executed copy (absent when nbconvert failed before writing it). */
  executed: string;
  exitCode: number | null;
  seconds: number;
  failures: CellFailure[];
  /** nbconvert's own stderr, last lines (kernel died, timeout, missing kernel). */
  log: string;
  /** The command line, for a person to reproduce. */
  command: string;
}

interface NbCell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: Array<{ output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string; traceback?: string[] }>;
  execution_count?: number | null;
}

const joinText = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");

export function readCells(path: string): NbCell[] {
  return (JSON.parse(readFileSync(path, "utf8")) as { cells: NbCell[] }).cells;
}

export function cellFailures(cells: readonly NbCell[]): CellFailure[] {
  const out: CellFailure[] = [];
  cells.forEach((cell, index) => {
    const outputs = cell.outputs ?? [];
    const errors = outputs.filter((o) => o.output_type === "error");
    if (cell.metadata?.[FAILED_KEY] !== true && errors.length === 0) return;
    const text = outputs
      .map((o) => (o.output_type === "error" ? [`${o.ename}: ${o.evalue}`, ...(o.traceback ?? [])].join("\n") : o.output_type === "stream" && o.name === "stderr" ? joinText(o.text) : ""))
      .filter((s) => s !== "")
      .join("\n");
    out.push({ index, source: joinText(cell.source), output: stripAnsi(text).trim() || "(the cell failed without output)" });
  });
  return out;
}

/** Run one notebook; resolves when nbconvert exits (never rejects for a failing cell). */
export function executeNotebook(notebook: string, outDir: string, opts: NbconvertOptions = {}): Promise<NotebookRun> {
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, "stratlab_mark_failures.py");
  writeFileSync(config, MARK_FAILURES);
  const cmd = nbconvertCommand(notebook, outDir, { ...opts, allowErrors: true });
  const args = [...cmd.args.slice(0, 2), `--config=${config}`, ...cmd.args.slice(2)];
  const executed = join(outDir, basename(notebook));
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd.command, args, { env: cmd.env, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (s: string) => {
      log = (log + s).slice(-20_000);
    });
    const done = (exitCode: number | null, extra = "") => {
      let failures: CellFailure[] = [];
      try {
        failures = cellFailures(readCells(executed));
      } catch {
        /* no executed copy: nbconvert failed before writing it; the log says why */
      }
      const tail = (log + extra).split("\n").filter((l) => l.trim() !== "" && !/debugger|frozen_modules|PYDEVD/i.test(l)).slice(-25).join("\n");
      resolve({ notebook, executed, exitCode, seconds: (Date.now() - started) / 1000, failures, log: tail, command: cmd.display });
    };
    child.on("error", (e) => done(null, `\n${e.message}`));
    child.on("close", (code) => done(code));
  });
}
