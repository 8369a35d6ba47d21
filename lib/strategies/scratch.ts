/**
 * Named, reusable Float64Array buffers. A strategy asks for `scratch.buffer("sma_fast", n)`
 * on every call and gets the same memory back, so repeated evaluations allocate nothing.
 *
 * Indicator series are also memoised by key (e.g. "sma:20") for as long as the bars are
 * the same: an optimiser that tries fast=20 with many slow values computes SMA(20) once.
 * The memo is bounded by bytes (default 32 MB, DEFAULT_CACHE_BYTES): least recently used
 * series go first, and their memory is recycled for the next series of the same length.
 */

/** Default byte budget of the memoised indicator series (per Scratch, i.e. per worker). */
export const DEFAULT_CACHE_BYTES = 32 * 2 ** 20;

interface Entry {
  data: Float64Array;
  generation: number;
}

export class Scratch {
  private readonly buffers = new Map<string, Float64Array>();
  private readonly ints = new Map<string, Int32Array>();
  private readonly series = new Map<string, Entry>();
  private generation = 0;
  private seriesBytes = 0;
  /** Series evicted, kept for reuse by the next series of their length (at most one). */
  private spare: Float64Array | null = null;

  /**
   * @param maxBytes byte budget of the memoised series (least recently used go first).
   * The series of the current call are never evicted, so one call may exceed it.
   */
  constructor(readonly maxBytes = DEFAULT_CACHE_BYTES) {}

  /** Bytes held by memoised series now. */
  get cachedBytes(): number {
    return this.seriesBytes;
  }

  /** Number of memoised series now. */
  get cachedSeries(): number {
    return this.series.size;
  }

  /** A buffer of length `n` owned by `key`; contents are whatever the last user left. */
  buffer(key: string, n: number): Float64Array {
    let b = this.buffers.get(key);
    if (b === undefined || b.length !== n) {
      b = new Float64Array(n);
      this.buffers.set(key, b);
    }
    return b;
  }

  /** An Int32Array buffer of length `n` owned by `key` (index deques and the like). */
  int32(key: string, n: number): Int32Array {
    let b = this.ints.get(key);
    if (b === undefined || b.length !== n) {
      b = new Int32Array(n);
      this.ints.set(key, b);
    }
    return b;
  }

  /** Mark the start of one evaluation: series used from now on are not evicted until the next call. */
  beginCall(): void {
    this.generation++;
  }

  /**
   * A memoised series: the cached array for `key`, or one filled by `compute` and cached.
   * `compute` must be a pure function of the bars and the key. Before a new series is
   * cached, least recently used series not used in the current call are evicted until it
   * fits the byte budget; an evicted array of the right length is recycled, so a long
   * search allocates nothing once warm.
   */
  cached(key: string, n: number, compute: (out: Float64Array) => void): Float64Array {
    const hit = this.series.get(key);
    if (hit !== undefined && hit.data.length === n) {
      this.series.delete(key); // re-insert: Map order is the LRU order
      hit.generation = this.generation;
      this.series.set(key, hit);
      return hit.data;
    }
    if (hit !== undefined) this.evict(key, hit);
    const bytes = 8 * n;
    // Keys, not [key, entry] pairs: no array allocated per entry visited.
    for (const k of this.series.keys()) {
      if (this.seriesBytes + bytes <= this.maxBytes) break;
      const entry = this.series.get(k)!;
      if (entry.generation === this.generation) continue;
      this.evict(k, entry);
    }
    let data: Float64Array;
    if (this.spare !== null && this.spare.length === n) {
      data = this.spare;
      this.spare = null;
    } else {
      data = new Float64Array(n);
    }
    compute(data);
    this.series.set(key, { data, generation: this.generation });
    this.seriesBytes += bytes;
    return data;
  }

  private evict(key: string, entry: Entry): void {
    this.series.delete(key);
    this.seriesBytes -= 8 * entry.data.length;
    this.spare = entry.data;
  }

  /** Forget memoised series (call when the bars change). */
  clear(): void {
    this.series.clear();
    this.seriesBytes = 0;
    this.spare = null;
  }
}
