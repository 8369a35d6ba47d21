/**
 * How the benchmarks measure: wall and CPU time of a call, medians, the load average, and
 * bytes allocated by a call (JS heap and ArrayBuffer backing stores), sound across GCs.
 */
import * as ss from "simple-statistics";
import { loadavg } from "node:os";
import { GCProfiler, getHeapStatistics } from "node:v8";

/** The 1, 5 and 15-minute load averages, two decimals. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [round(a, 2), round(b, 2), round(c, 2)];
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The median (mean of the two middle values for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : ss.median([...xs]);
}

/** The q-quantile (simple-statistics: nearest rank, the mean of two at a tie); NaN for none. */
export function quantile(xs: readonly number[], q: number): number {
  return xs.length === 0 ? NaN : ss.quantile([...xs], q);
}

export interface Timing {
  /** Wall time, ms. */
  wall: number;
  /** CPU time of this process (user + system, every thread), ms: what the call cost, not waiting for a core. */
  cpu: number;
}

/** Wall and CPU time of one call. */
export function timeIt(f: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Median wall and CPU time of `runs` calls (after `warm` untimed ones), and every wall time. */
export function medianTiming(runs: number, f: () => void, warm = 1): Timing & { walls: number[] } {
  for (let i = 0; i < warm; i++) f();
  const ts: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    collectGarbage(); // one call's garbage must not be collected on the next one's clock
    ts.push(timeIt(f));
  }
  return { wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)), walls: ts.map((t) => t.wall) };
}

/** The `gc` that node's --expose-gc installs (bench/run.ts re-runs itself with the flag when missing). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("the benchmarks need node --expose-gc (npm run bench passes it)");
  // Twice: a full GC frees ArrayBuffer backing stores on a background thread and settles
  // V8's external-memory count later, possibly in the middle of the next measurement (seen:
  // -40 MB "allocated" by a burst that allocated +8 MB). The second GC waits for that sweep.
  gc();
  gc();
}

export interface Allocation {
  /** Bytes allocated per call: JS heap plus ArrayBuffer backing stores (typed arrays). */
  bytesPerCall: number;
  /** Of which ArrayBuffer backing stores. */
  externalPerCall: number;
  /** Calls in the burst that was measured. */
  calls: number;
  /** GCs during that burst (the heap part counts what they freed; see `allocation`). */
  gcs: number;
}

function used(): { heap: number; external: number } {
  const h = getHeapStatistics();
  return { heap: h.used_heap_size, external: h.external_memory };
}

/** Heap growth over a burst of `calls`, plus whatever the GCs in it freed (from V8's GC profiler). */
function burst(f: (i: number) => void, calls: number, rewarm = 0, rewarmFrom = calls): { heap: number; external: number; gcs: number } {
  collectGarbage();
  // A full GC deoptimises optimised code that embeds objects held weakly ("weak objects"
  // in --trace-deopt: the evaluator's runAccount, runEvents, metrics, resultOf): the next
  // calls run in baseline code, which boxes doubles (~32 bytes per swap on the event path)
  // and recompiles (hundreds of KB once). Calls after the GC, before the burst, let the
  // JIT re-optimise, so the burst counts what the optimised code allocates.
  for (let k = 0; k < rewarm; k++) f(rewarmFrom + k);
  // SUB_BURSTS bursts back to back, the median kept: V8 allocates on the heap when it
  // installs code it compiled in the background (tens of KB at once), which one burst of
  // 32 calls would count as ~1 KB a call.
  const runs: Array<{ heap: number; external: number; gcs: number }> = [];
  for (let b = 0; b < SUB_BURSTS; b++) {
    const profiler = new GCProfiler();
    profiler.start();
    const u0 = used();
    for (let i = 0; i < calls; i++) f(i);
    const u1 = used();
    const { statistics } = profiler.stop();
    let freed = 0;
    for (const g of statistics) freed += g.beforeGC.heapStatistics.usedHeapSize - g.afterGC.heapStatistics.usedHeapSize;
    runs.push({ heap: u1.heap - u0.heap + freed, external: u1.external - u0.external, gcs: statistics.length });
  }
  runs.sort((a, b) => a.heap + a.external - (b.heap + b.external));
  const mid = runs[SUB_BURSTS >> 1];
  return { heap: mid.heap, external: mid.external, gcs: runs.reduce((k, r) => k + r.gcs, 0) };
}

/** Bursts per allocation measurement (odd: the median is one of them). */
const SUB_BURSTS = 5;

/**
 * Bytes allocated per call of `f(i)`, i = 0 .. calls-1 (the caller warms `f` up first: a
 * function's first calls allocate its bytecode and feedback).
 *
 * JS heap: used-heap growth over the burst plus, for every GC during it, used heap before
 * minus after (V8's GCProfiler) - exact whatever the number of GCs. ArrayBuffer backing
 * stores (every Float64Array above 64 bytes) live outside the heap and are freed by a
 * background sweep after a GC, too late for the profiler's after-GC figures: their growth
 * is only trusted over a burst without a GC, so a burst with one is retried at half the
 * length (down to one call). The median of SUB_BURSTS bursts is taken (JIT code installs
 * land in one of them). The measurement's own allocations (an empty `f`) are subtracted.
 */
export function allocation(f: (i: number) => void, calls: number, rewarm = 0): Allocation {
  let n = calls;
  let r = burst(f, n, rewarm, calls);
  while (r.gcs > 0 && n > 1) {
    n = Math.max(1, n >> 1);
    r = burst(f, n, rewarm, calls);
  }
  const noop = burst(() => {}, n);
  const heap = r.heap - noop.heap;
  const external = r.external - noop.external;
  // Not clamped at 0: a negative figure would expose a broken measurement rather than hide it.
  return { bytesPerCall: Math.round((heap + external) / n), externalPerCall: Math.round(external / n), calls: n, gcs: r.gcs };
}
