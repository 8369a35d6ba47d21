/**
 * What a fetch asks for and how long it will take: the sizes (step, 2*step, ... up to
 * end), their batches, and the time left counting the pauses between batches. Pure.
 */
import { UsageError } from "../../errors";

/** More sizes than this is almost surely a typo in --step or --end (and hours of requests). */
export const MAX_SIZES = 10_000;

/**
 * step, 2*step, ... while <= end; end itself last when it is not a multiple of step, so the
 * largest bucket is the largest size asked for. Each size is k * step (not a running sum), so
 * no rounding drift accumulates.
 */
export function planSizes(step: number, end: number): number[] {
  if (!(step > 0) || !Number.isFinite(step)) throw new UsageError(`--step ${step} must be a positive number (quote currency)`);
  if (!(end >= step) || !Number.isFinite(end)) throw new UsageError(`--end ${end} must be a number >= --step ${step}`);
  const count = Math.floor(end / step + 1e-9);
  if (count > MAX_SIZES) throw new UsageError(`--step ${step} --end ${end} would ask for ${count} sizes; at most ${MAX_SIZES} (raise --step)`);
  const sizes: number[] = [];
  for (let k = 1; k <= count; k++) sizes.push(roundSize(k * step));
  if (sizes[sizes.length - 1]! < end) sizes.push(end);
  return sizes;
}

/** 3 * 0.1 is 0.30000000000000004: sizes are kept to 9 significant decimals. */
function roundSize(x: number): number {
  return Number(x.toPrecision(12));
}

/** Consecutive groups of at most `size` items. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface EtaInput {
  /** Sizes still to fetch. */
  remaining: number;
  parallel: number;
  pauseMs: number;
  /** Mean duration of a finished batch (requests only, pauses excluded); undefined before the first. */
  msPerBatch: number | undefined;
  /** A pause is running now and this much of it is left. */
  pauseLeftMs?: number;
}

/**
 * Time left: the remaining batches at the measured pace, plus a pause before each of them
 * except the first (the current pause's remainder when one is running). Infinity until a
 * batch has been timed.
 */
export function etaMs(e: EtaInput): number {
  if (e.remaining <= 0) return 0;
  const left = Math.ceil(e.remaining / e.parallel);
  const pauses = e.pauseLeftMs !== undefined ? e.pauseLeftMs + (left - 1) * e.pauseMs : (left - 1) * e.pauseMs;
  if (e.msPerBatch === undefined) return Number.POSITIVE_INFINITY;
  return left * e.msPerBatch + pauses;
}
