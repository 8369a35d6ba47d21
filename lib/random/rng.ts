/**
 * A small seedable PRNG for the optimiser: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, 128-bit state, passes PractRand to 2^42+ bytes), seeded by a
 * cyrb128-style hash (bryc, public domain) of the seed and any keys.
 *
 * Determinism is part of the journal's contract: a study replays its proposals from the
 * seed, so the exact sequence this file produces must not change. test/random/rng.test.ts
 * pins the first outputs; changing the algorithm invalidates every stored run.
 */

import { Sfc32Core } from "./sfc32";

export type RngKey = number | string;

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** Tags keep the key encodings apart: derive(1, "1") differs from derive(1, 1). */
const TAG_NUMBER = 0x6e756d00;
const TAG_STRING = 0x73747200;

/** Append a key as 32-bit words: a tag, then the float64 bits of a number or the length and UTF-16 units of a string. */
function encodeKey(key: RngKey, out: number[]): void {
  if (typeof key === "number") {
    if (Number.isNaN(key)) throw new RangeError("Rng: a seed or key is NaN");
    // Explicit little-endian words: the same streams on every platform. -0 and 0 are one seed.
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, key === 0 ? 0 : key, true);
    out.push(TAG_NUMBER, view.getUint32(0, true), view.getUint32(4, true));
  } else {
    out.push(TAG_STRING, key.length);
    for (let i = 0; i < key.length; i++) out.push(key.charCodeAt(i));
  }
}

/** cyrb128 over 32-bit words (https://github.com/bryc/code/blob/master/jshash/PRNGs.md): 128 well-mixed bits. */
function hash128(words: readonly number[]): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (const k of words) {
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Rng extends Sfc32Core {
  private constructor(a: number, b: number, c: number, d: number, discard = 15) {
    super(a, b, c, d);
    // sfc32's author recommends discarding the first outputs after seeding.
    for (let i = 0; i < discard; i++) this.uint32();
  }

  /** Continue exactly where `words()` was taken (for checkpoints). */
  static fromWords(words: readonly number[]): Rng {
    if (words.length !== 4 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) throw new Error("Rng state must be four uint32 words");
    return new Rng(words[0], words[1], words[2], words[3], 0);
  }

  /**
   * An independent stream for `seed` and `keys` (e.g. study name, batch index). Any
   * finite or infinite number and any string may be a key; the same arguments always
   * give the same stream, different ones (practically) unrelated streams.
   */
  static derive(seed: number, ...keys: RngKey[]): Rng {
    const words: number[] = [];
    encodeKey(seed, words);
    for (const k of keys) encodeKey(k, words);
    const [a, b, c, d] = hash128(words);
    return new Rng(a, b, c, d);
  }

  /**
   * A child stream keyed by `keys`, derived from this stream's current state without
   * advancing it (so `fork(i)` for i = 0, 1, ... gives independent substreams).
   */
  fork(...keys: RngKey[]): Rng {
    const words = [this.a, this.b, this.c, this.d];
    for (const k of keys) encodeKey(k, words);
    const [a, b, c, d] = hash128(words);
    return new Rng(a, b, c, d);
  }

  /** Uniform in [0, 1) with 53 random bits (two outputs). */
  next(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [lo, hi], both ends included; unbiased (rejection sampling). */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) throw new RangeError(`Rng.int(${lo}, ${hi}): need integers lo <= hi`);
    const span = hi - lo + 1;
    if (span <= TWO_POW_32) {
      // Reject the top partial copy of [0, span) so every value is equally likely.
      const limit = TWO_POW_32 - (TWO_POW_32 % span);
      let x = this.uint32();
      while (x >= limit) x = this.uint32();
      return lo + (x % span);
    }
    return lo + Math.floor(this.next() * span);
  }

  /** Standard normal (Box-Muller; each call uses exactly two uniforms). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next(); // (0, 1]: log(u) is finite
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly chosen element. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.choice: empty array");
    return items[this.int(0, items.length - 1)];
  }

  /** Shuffle in place (Fisher-Yates) and return the same array (plain or typed). */
  shuffle<A extends { length: number; [i: number]: unknown }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}
