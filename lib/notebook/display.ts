/**
 * The bridge to tslab's rich display. Inside a tslab kernel, `display.html` puts HTML in
 * the cell's output and `newDisplay()` gives an output that later calls overwrite in place.
 * Outside one (the CLI, tests, plain node) there is no display and helpers print text.
 */

/** The part of tslab's `Display` the helpers use. */
export interface Display {
  html(s: string): void;
  text(s: string): void;
}

interface Tslab {
  display: Display;
  newDisplay(): Display;
}

/**
 * The kernel's own tslab module. tslab sets `globalThis.__tslab__.require`, whose
 * require("tslab") returns the running kernel's instance (a plain require could load a
 * second copy that is not wired to the kernel). Undefined outside a kernel.
 */
function kernelTslab(): Tslab | undefined {
  const hook = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  if (typeof hook?.require !== "function") return undefined;
  try {
    const t = hook.require("tslab") as Partial<Tslab> | undefined;
    return t?.display && typeof t.newDisplay === "function" ? (t as Tslab) : undefined;
  } catch {
    return undefined;
  }
}

type WriteDisplayData = (data: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

/**
 * tslab's own sender of display_data messages. Its public `display.raw` sends one MIME type
 * per message; a plot needs several in one bundle (plotly's JSON beside the HTML, so each
 * front end picks what it renders). The kernel's module is found through its require hook,
 * else in the module cache; undefined when neither has it (then plots send HTML only).
 */
function kernelWriter(): WriteDisplayData | undefined {
  const hook = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  if (typeof hook?.require !== "function") return undefined;
  const pick = (m: unknown) => {
    const f = (m as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    return typeof f === "function" ? (f as WriteDisplayData) : undefined;
  };
  try {
    const w = pick(hook.require("tslab/dist/jupyter"));
    if (w) return w;
  } catch {
    /* not resolvable from the notebook's folder */
  }
  for (const [id, m] of Object.entries(require.cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(id)) {
      const w = pick(m?.exports);
      if (w) return w;
    }
  }
  return undefined;
}

/**
 * Show one output with several representations (MIME type -> data; JSON types as objects).
 * Returns false outside a notebook, or when the kernel cannot send a bundle (then the caller
 * falls back to `cellDisplay().html`).
 */
export function displayBundle(bundle: Record<string, unknown>): boolean {
  const write = kernelWriter();
  if (write === undefined) return false;
  write({ data: bundle, metadata: {}, transient: {} }, false);
  return true;
}

/**
 * An output that each `show(bundle)` overwrites in place (a live plot), with several
 * representations per drawing like `displayBundle`. Undefined outside a notebook or when
 * the kernel cannot send bundles. The writer is taken now, so updates go to this cell.
 */
export function updatableBundleDisplay(): { show(bundle: Record<string, unknown>): void } | undefined {
  const write = kernelWriter();
  if (write === undefined) return undefined;
  const displayId = `stratlab-${process.pid}-${++displays}`;
  let shown = false;
  return {
    show(bundle) {
      write({ data: bundle, metadata: {}, transient: { display_id: displayId } }, shown);
      shown = true;
    },
  };
}
let displays = 0;

/** Running inside a tslab kernel (Jupyter)? */
export function inNotebook(): boolean {
  return kernelTslab() !== undefined;
}

/** The cell's display, or undefined outside a notebook. */
export function cellDisplay(): Display | undefined {
  return kernelTslab()?.display;
}

/** A display entry that each call overwrites (progress bars), or undefined outside a notebook. */
export function updatableDisplay(): Display | undefined {
  return kernelTslab()?.newDisplay();
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** JSON safe to inline in a <script>: no `</script>` or `<!--` can appear in it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === "number" && !Number.isFinite(v)) return null;
    return v;
  }).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
