/**
 * Named, reusable Float64Array buffers. A strategy asks for `scratch.buffer("sma_fast", n)`
 * on every call and gets the same memory back, so repeated evaluations allocate nothing.
 *
 * Indicator series are also memoised by key (e.g. "sma:20") for as long as the bars are
 * the same: an optimiser that tries fast=20 with many slow values computes SMA(20) once.
 */
export class Scratch {
  private readonly buffers = new Map<string, Float64Array>();
  private readonly ints = new Map<string, Int32Array>();
  private readonly series = new Map<string, { data: Float64Array; generation: number }>();
  private generation = 0;

  /** @param maxSeries how many memoised indicator series to keep (least recently used go first). */
  constructor(private readonly maxSeries = 48) {}

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
   * `compute` must be a pure function of the bars and the key. When the cache is full,
   * the least recently used series not used in the current call is recycled, so a long
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
    let data: Float64Array | undefined;
    if (this.series.size >= this.maxSeries) {
      for (const [k, entry] of this.series) {
        if (entry.generation === this.generation) continue;
        this.series.delete(k);
        if (entry.data.length === n) data = entry.data;
        break;
      }
    }
    data ??= new Float64Array(n);
    compute(data);
    this.series.set(key, { data, generation: this.generation });
    return data;
  }

  /** Forget memoised series (call when the bars change). */
  clear(): void {
    this.series.clear();
  }
}
