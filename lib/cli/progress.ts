/**
 * Progress for long commands: a bar redrawn in place on a terminal; plain periodic lines
 * when stderr is not a terminal (CI logs, pipes). Always on stderr.
 */
export interface ProgressLine {
  done: number;
  total: number;
  /** Items per second. */
  rate: number;
  etaMs: number;
  /** Extra text, e.g. the best value so far. */
  note?: string;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "--:--";
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}` : `${m}:${String(sec).padStart(2, "0")}`;
}

export function renderProgress(p: ProgressLine, width = 24): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(frac * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const pct = (frac * 100).toFixed(0).padStart(3);
  return `[${bar}] ${p.done}/${p.total} ${pct}%  ${p.rate.toFixed(1)}/s  ETA ${formatDuration(p.etaMs)}${p.note ? "  " + p.note : ""}`;
}

export class ProgressReporter {
  private lastPlain = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 5000,
  ) {}

  update(p: ProgressLine): void {
    const now = Date.now();
    const finished = p.done >= p.total;
    if (this.stream.isTTY) {
      if (!finished && now - this.lastDraw < 100) return; // at most 10 redraws a second
      this.lastDraw = now;
      const cols = this.stream.columns ?? 100;
      this.stream.write(`\r${(this.label + " " + renderProgress(p)).slice(0, cols - 1)}\x1b[K`);
      this.drawn = true;
    } else if (finished || now - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = now;
      this.stream.write(`${this.label} ${renderProgress(p)}\n`);
    }
  }

  /** End the in-place line (call before printing anything else). */
  done(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write("\n");
    this.drawn = false;
  }
}
