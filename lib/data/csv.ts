/**
 * OHLCV CSV in and out. The reader parses bytes by hand (no CSV library, no string per row):
 * a 250k-row file loads in a few tens of milliseconds. It validates as it goes and stops at
 * the first bad row with one line naming file, line and field; nothing is written on failure.
 *
 * Accepted: a header naming `timestamp` (or `t`), open, high, low, close, volume in any
 * order and case, extra columns ignored; LF or CRLF; optional trailing newline, UTF-8 BOM
 * and blank lines; fields may be wrapped in double quotes (no commas inside them).
 * Timestamps are bar open times, one form per file, detected from the first row:
 * ISO 8601 (UTC unless an offset is given) or a Unix number whose size tells the unit
 * (seconds, ms, µs, ns). See docs/data.md.
 */
import { readFileSync } from "node:fs";
import { clip, DataError, quote } from "../errors";
import { writeFileAtomic } from "../io/atomic";
import { allocateBars, formatDuration, isoTime, medianSpacing, scanGaps, type Bars } from "./bars";

export interface LoadOptions {
  /** Non-fatal findings (gaps in the time grid): one line each. */
  onWarning?: (message: string) => void;
}

const REQUIRED = "timestamp (or t), open, high, low, close, volume";
/** Column slots in the order of `allocateBars`: t, open, high, low, close, volume. */
const SLOT_NAMES = ["timestamp", "open", "high", "low", "close", "volume"] as const;
const HEADER_SLOT: Record<string, number> = { timestamp: 0, t: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };

const LF = 10;
const CR = 13;
const COMMA = 44;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;

/** Exact powers of ten: m / 10^k is correctly rounded while m < 2^53 and k <= 22 (Clinger's fast path). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
// Unambiguous (the dot starts the optional group), so a long field cannot backtrack
// quadratically: `\d+\.?\d*` took 12 s on a 100 kB field.
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** A number field longer than this is not a price or a volume. */
const MAX_NUMBER_CHARS = 100;

/**
 * A plain decimal in bytes [s, e), or NaN. Up to 15 significant digits and 22 decimals it
 * builds the value from an exact integer and one exact division (so it equals `Number(text)`
 * bit for bit); anything else (exponents, long mantissas) goes through `Number`.
 */
function parseNumber(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e && (b[i] === 45 || b[i] === 43)) {
    neg = b[i] === 45;
    i++;
  }
  let mant = 0;
  let sig = 0;
  let frac = 0;
  let digits = 0;
  let dot = false;
  for (; i < e; i++) {
    const c = b[i];
    if (c >= 48 && c <= 57) {
      digits++;
      if (dot) frac++;
      if (mant !== 0 || c !== 48) {
        mant = mant * 10 + (c - 48);
        sig++;
      }
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (i === e && digits > 0 && sig <= 15 && frac <= 22) {
    const v = frac === 0 ? mant : mant / POW10[frac];
    return neg ? -v : v;
  }
  if (e - s > MAX_NUMBER_CHARS) return NaN;
  const text = latin1(b, s, e);
  return PLAIN_NUMBER.test(text) ? Number(text) : NaN;
}

function latin1(b: Uint8Array, s: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString("latin1");
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date algorithms"). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** `n` digits at b[i..i+n) as an integer, or -1. */
function digitsAt(b: Uint8Array, i: number, n: number, e: number): number {
  if (i + n > e) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = b[i + k] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * ISO 8601 in bytes [s, e) to Unix ms, or NaN: `YYYY-MM-DD`, then optionally `T` (or a space)
 * `HH:MM[:SS[.fff]]` and `Z` or an offset `±HH[:MM]`. No offset means UTC: exchange data is UTC.
 */
function parseIsoTime(b: Uint8Array, s: number, e: number): number {
  const y = digitsAt(b, s, 4, e);
  const mo = digitsAt(b, s + 5, 2, e);
  const d = digitsAt(b, s + 8, 2, e);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || b[s + 4] !== 45 || b[s + 7] !== 45 || d > daysInMonth(y, mo)) return NaN;
  let ms = daysFromCivil(y, mo, d) * 86_400_000;
  let i = s + 10;
  if (i === e) return ms;
  if (b[i] !== 84 && b[i] !== 116 && b[i] !== SPACE) return NaN; // T, t or space
  const hh = digitsAt(b, i + 1, 2, e);
  const mm = digitsAt(b, i + 4, 2, e);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || b[i + 3] !== 58) return NaN;
  ms += hh * 3_600_000 + mm * 60_000;
  i += 6;
  if (i < e && b[i] === 58) {
    const ss = digitsAt(b, i + 1, 2, e);
    if (ss < 0 || ss > 59) return NaN;
    ms += ss * 1000;
    i += 3;
    if (i < e && (b[i] === 46 || b[i] === COMMA)) {
      // Fraction of a second: keep milliseconds, drop finer digits.
      let scale = 100;
      let k = i + 1;
      for (; k < e && b[k] >= 48 && b[k] <= 57; k++) {
        ms += (b[k] - 48) * scale;
        scale /= 10;
      }
      if (k === i + 1) return NaN;
      ms = Math.floor(ms);
      i = k;
    }
  }
  if (i === e) return ms;
  if ((b[i] === 90 || b[i] === 122) && i + 1 === e) return ms; // Z or z
  if (b[i] === 43 || b[i] === 45) {
    const sign = b[i] === 43 ? 1 : -1;
    const oh = digitsAt(b, i + 1, 2, e);
    let om = 0;
    let k = i + 3;
    if (k < e) {
      if (b[k] === 58) k++;
      om = digitsAt(b, k, 2, e);
      k += 2;
    }
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || k !== e) return NaN;
    return ms - sign * (oh * 3_600_000 + om * 60_000);
  }
  return NaN;
}

/** How a file writes its times, fixed by the first data row. */
const TimeForm = { Iso: 0, Seconds: 1, Millis: 2, Micros: 3, Nanos: 4 } as const;
type TimeForm = (typeof TimeForm)[keyof typeof TimeForm];
const FORM_NAMES = ["ISO 8601", "Unix seconds", "Unix ms", "Unix µs", "Unix ns"];

function unixToMs(v: number, form: TimeForm): number {
  if (form === TimeForm.Seconds) return Math.round(v * 1000);
  if (form === TimeForm.Millis) return Math.round(v);
  return Math.round(v / (form === TimeForm.Micros ? 1e3 : 1e6));
}

/** A Unix number's unit from its size: seconds until 1e11 (year 5138), then ms, µs, ns. */
function unixForm(v: number): TimeForm {
  const a = Math.abs(v);
  return a < 1e11 ? TimeForm.Seconds : a < 1e14 ? TimeForm.Millis : a < 1e17 ? TimeForm.Micros : TimeForm.Nanos;
}

/** True when the field starts like a date, `YYYY-`. */
function looksIso(b: Uint8Array, s: number, e: number): boolean {
  return e - s >= 10 && b[s + 4] === 45 && digitsAt(b, s, 4, e) >= 0;
}

/** Load and validate an OHLCV CSV file into shared Bars. */
export function loadBars(path: string, opts: LoadOptions = {}): Bars {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new DataError(`${path}: cannot read the bars file (${code}); pass an existing CSV (stratlab data generate writes one)`);
  }
  return parseBarsCsv(bytes, path, opts);
}

/** Parse CSV bytes (the body of `loadBars`; `source` names the file in messages). */
export function parseBarsCsv(bytes: Uint8Array, source: string, opts: LoadOptions = {}): Bars {
  const end = bytes.length;
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 0;

  // Header: the first non-blank line.
  let header: string | undefined;
  while (pos < end) {
    line++;
    let eol = bytes.indexOf(LF, pos);
    if (eol < 0) eol = end;
    const text = latin1(bytes, pos, eol).trim();
    pos = eol + 1;
    if (text !== "") {
      header = text;
      break;
    }
  }
  if (header === undefined) throw new DataError(`${source}: file is empty; expected a header (timestamp,open,high,low,close,volume) and one row per bar`);
  const headerLine = line;
  const names = header.split(",").map((h) => h.trim().replace(/^"(.*)"$/, "$1").trim().toLowerCase());
  const slotOf = new Int8Array(names.length).fill(-1);
  const columnOf = [-1, -1, -1, -1, -1, -1];
  for (let j = 0; j < names.length; j++) {
    const slot = HEADER_SLOT[names[j]];
    if (slot === undefined) continue;
    if (columnOf[slot] >= 0) {
      throw new DataError(`${source} line ${headerLine}: columns ${columnOf[slot] + 1} (${quote(names[columnOf[slot]])}) and ${j + 1} (${quote(names[j])}) both give ${SLOT_NAMES[slot]}; keep one`);
    }
    columnOf[slot] = j;
    slotOf[j] = slot;
  }
  const missing = SLOT_NAMES.filter((_, k) => columnOf[k] < 0);
  if (missing.length > 0) {
    throw new DataError(`${source} line ${headerLine}: header lacks ${missing.join(", ")}; required columns: ${REQUIRED} (found: ${clip(names.join(", "))})`);
  }
  const timeName = names[columnOf[0]];
  /** Fields after the last needed one are never looked at. */
  const fieldsNeeded = Math.max(...columnOf) + 1;

  // Upper bound on rows: one per remaining newline (+1 without a trailing one).
  let capacity = 0;
  for (let p = pos; p < end; ) {
    const eol = bytes.indexOf(LF, p);
    capacity++;
    if (eol < 0) break;
    p = eol + 1;
  }
  const bars = allocateBars(capacity, source);
  const { t: tCol, open: openCol, high: highCol, low: lowCol, close: closeCol, volume: volumeCol } = bars;
  const row = new Float64Array(6);
  /** Data indices before which blank lines were skipped (to map an index back to its line). */
  const blankBefore: number[] = [];

  let n = 0;
  let form: TimeForm = TimeForm.Iso;
  let prevT = -Infinity;
  let prevLine = 0;
  while (pos < end) {
    line++;
    let eol = bytes.indexOf(LF, pos);
    if (eol < 0) eol = end;
    let le = eol;
    if (le > pos && bytes[le - 1] === CR) le--;
    const ls = pos;
    pos = eol + 1;
    if (le === ls || isBlank(bytes, ls, le)) {
      blankBefore.push(n);
      continue;
    }

    let p = ls;
    let field = 0;
    for (; field < fieldsNeeded; field++) {
      let fs = p;
      while (p < le && bytes[p] !== COMMA) p++;
      let fe = p;
      const slot = slotOf[field];
      if (slot >= 0) {
        while (fs < fe && (bytes[fs] === SPACE || bytes[fs] === TAB)) fs++;
        while (fe > fs && (bytes[fe - 1] === SPACE || bytes[fe - 1] === TAB)) fe--;
        if (fe - fs >= 2 && bytes[fs] === QUOTE && bytes[fe - 1] === QUOTE) {
          fs++;
          fe--;
        }
        if (fe === fs) throw new DataError(`${source} line ${line}: ${slot === 0 ? timeName : SLOT_NAMES[slot]} is empty; fill it in or delete the row`);
        if (slot === 0) {
          if (n === 0) form = looksIso(bytes, fs, fe) ? TimeForm.Iso : unixForm(parseNumber(bytes, fs, fe));
          row[0] = parseTime(bytes, fs, fe, form, source, line, timeName);
        } else {
          const v = parseNumber(bytes, fs, fe);
          if (!Number.isFinite(v)) {
            throw new DataError(`${source} line ${line}: ${SLOT_NAMES[slot]} ${quote(latin1(bytes, fs, fe))} is not a number; write a plain decimal such as 61130.99`);
          }
          row[slot] = v;
        }
      }
      if (p < le) p++; // past the comma
      else if (field + 1 < fieldsNeeded) {
        const lacking = SLOT_NAMES.filter((_, k) => columnOf[k] > field).join(", ");
        throw new DataError(`${source} line ${line}: row has ${field + 1} fields but the header has ${names.length}; ${lacking} missing`);
      }
    }

    const t = row[0];
    if (t <= prevT) {
      if (t === prevT) throw new DataError(`${source} line ${line}: ${timeName} ${isoTime(t)} repeats line ${prevLine}; remove the duplicate row`);
      throw new DataError(`${source} line ${line}: ${timeName} ${isoTime(t)} is earlier than line ${prevLine} (${isoTime(prevT)}); sort the rows by time, oldest first`);
    }
    if (row[2] < row[3]) throw new DataError(`${source} line ${line}: high ${row[2]} is below low ${row[3]}; fix the row (high is the bar's highest price)`);
    for (let k = 1; k <= 4; k++) {
      if (!(row[k] > 0)) throw new DataError(`${source} line ${line}: ${SLOT_NAMES[k]} ${row[k]} must be a positive price`);
    }
    if (row[5] < 0) throw new DataError(`${source} line ${line}: volume ${row[5]} is negative; volume is traded quantity, 0 or more`);
    tCol[n] = t;
    openCol[n] = row[1];
    highCol[n] = row[2];
    lowCol[n] = row[3];
    closeCol[n] = row[4];
    volumeCol[n] = row[5];
    n++;
    prevT = t;
    prevLine = line;
  }
  if (n === 0) throw new DataError(`${source}: no data rows after the header (line ${headerLine}); add one row per bar`);

  const out = n === capacity ? bars : compact(bars, n);
  const barMs = medianSpacing(out.t);
  const result: Bars = { ...out, barMs };
  reportGaps(result, opts, (i) => headerLine + 1 + i + countAtOrBelow(blankBefore, i));
  return result;
}

function isBlank(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] !== SPACE && b[i] !== TAB && b[i] !== CR) return false;
  return true;
}

function countAtOrBelow(sorted: number[], i: number): number {
  let k = 0;
  while (k < sorted.length && sorted[k] <= i) k++;
  return k;
}

function parseTime(b: Uint8Array, s: number, e: number, form: TimeForm, source: string, line: number, name: string): number {
  if (form === TimeForm.Iso) {
    const ms = parseIsoTime(b, s, e);
    if (Number.isFinite(ms)) return ms;
  } else {
    const v = parseNumber(b, s, e);
    if (Number.isFinite(v)) {
      if (unixForm(v) === form) return unixToMs(v, form);
      throw new DataError(`${source} line ${line}: ${name} ${clip(latin1(b, s, e), 60)} looks like ${FORM_NAMES[unixForm(v)]} but the first row uses ${FORM_NAMES[form]}; use one unit for the whole file`);
    }
  }
  const text = latin1(b, s, e);
  const other = form === TimeForm.Iso ? Number.isFinite(parseNumber(b, s, e)) : looksIso(b, s, e);
  if (other) throw new DataError(`${source} line ${line}: ${name} ${quote(text)} is not ${FORM_NAMES[form]} like the first row; use one form for the whole file`);
  throw new DataError(`${source} line ${line}: ${name} ${quote(text)} is not a time; write ISO 8601 (2024-03-01T00:00:00Z), Unix seconds or Unix ms`);
}

/** Copy the first `n` bars into a right-sized shared buffer (only when blank lines were skipped). */
function compact(bars: Bars, n: number): Bars {
  const out = allocateBars(n, bars.source);
  for (const k of ["t", "open", "high", "low", "close", "volume"] as const) out[k].set(bars[k].subarray(0, n));
  return out;
}

function reportGaps(bars: Bars, opts: LoadOptions, lineOf: (i: number) => number): void {
  if (!opts.onWarning) return;
  const g = scanGaps(bars.t, bars.barMs);
  if (g.count === 0) return;
  const at = (i: number) => `line ${lineOf(i)} (${isoTime(bars.t[i - 1])} -> ${isoTime(bars.t[i])})`;
  const holes = g.count === 1 ? "1 gap" : `${g.count} gaps`;
  const first = g.firstAt === g.largestAt ? "" : `; first at ${at(g.firstAt)}`;
  opts.onWarning(
    `${bars.source}: ${holes} in the ${formatDuration(bars.barMs)} time grid (${g.missingBars} bars missing); largest ${formatDuration(g.largestMs)} at ${at(g.largestAt)}${first}`,
  );
}

const CSV_HEADER = "timestamp,open,high,low,close,volume\n";
/** The longest row: a time with milliseconds (24) and five numbers in exponent form (24 each), commas, newline. */
const MAX_ROW_BYTES = 24 + 5 * 25 + 1;

/**
 * Bars as CSV bytes: header `timestamp,open,high,low,close,volume`, ISO 8601 UTC times and
 * numbers in JavaScript's shortest round-trip form (what `String(x)` gives; reading them back
 * gives the same doubles). Written straight into one buffer: building 210k row strings makes
 * the garbage collector, not the formatting, the cost.
 */
export function encodeBarsCsv(bars: Bars): Buffer {
  const { t, open, high, low, close, volume } = bars;
  const n = bars.length;
  const w = new ByteWriter(CSV_HEADER.length + n * MAX_ROW_BYTES);
  w.ascii(CSV_HEADER);
  // The date part changes once a day: format it once per day, not per bar.
  let day = NaN;
  let datePart = "";
  for (let i = 0; i < n; i++) {
    const ms = t[i];
    const d = Math.floor(ms / 86_400_000);
    if (ms % 1000 === 0 && d >= 0 && d < 2_932_897) {
      if (d !== day) {
        day = d;
        datePart = isoTime(d * 86_400_000).slice(0, 11);
      }
      w.ascii(datePart);
      const sod = ((ms - d * 86_400_000) / 1000) | 0;
      w.twoDigits((sod / 3600) | 0);
      w.byte(58);
      w.twoDigits(((sod / 60) | 0) % 60);
      w.byte(58);
      w.twoDigits(sod % 60);
      w.byte(90); // Z
    } else {
      w.ascii(isoTime(ms));
    }
    w.byte(COMMA);
    w.number(open[i]);
    w.byte(COMMA);
    w.number(high[i]);
    w.byte(COMMA);
    w.number(low[i]);
    w.byte(COMMA);
    w.number(close[i]);
    w.byte(COMMA);
    w.number(volume[i]);
    w.byte(LF);
  }
  return w.bytes();
}

/** Write bars as CSV atomically (temp file, fsync, rename): readers never see half a file. */
export function writeBarsCsv(bars: Bars, path: string): void {
  writeFileAtomic(path, encodeBarsCsv(bars));
}

/** ASCII into a preallocated buffer, numbers formatted in place. */
class ByteWriter {
  private readonly buf: Buffer;
  private pos = 0;
  private readonly digits = new Uint8Array(24);

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  ascii(s: string): void {
    for (let k = 0; k < s.length; k++) this.buf[this.pos++] = s.charCodeAt(k);
  }

  twoDigits(v: number): void {
    this.buf[this.pos++] = 48 + ((v / 10) | 0);
    this.buf[this.pos++] = 48 + (v % 10);
  }

  /** A non-negative integer below 2^53. */
  integer(v: number): void {
    let k = 0;
    do {
      const q = Math.floor(v / 10);
      this.digits[k++] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
    while (k > 0) this.buf[this.pos++] = this.digits[--k];
  }

  /**
   * `String(x)`, without making a string for prices and volumes. For 1e-6 <= |x| < 1e15 with
   * at most 9 decimals, the fewest decimals d for which m = round(|x| 10^d) gives
   * m / 10^d === |x| is the shortest form (m < 1e15 puts m +- 1 on other doubles, so the
   * digits are unique, and m / 10^d is one correctly rounded division, as parsing is).
   * Anything else (exponent forms, 17-digit values, -0 aside) goes through `String`.
   */
  number(x: number): void {
    const ax = Math.abs(x);
    if (ax < 1e15) {
      if (Number.isInteger(ax)) {
        if (x < 0) this.byte(45);
        this.integer(ax);
        return;
      }
      if (ax >= 1e-6) {
        for (let d = 1; d <= 9; d++) {
          const p = POW10[d];
          const m = Math.round(ax * p);
          if (m < 1e15 && m / p === ax) {
            if (x < 0) this.byte(45);
            const whole = Math.floor(m / p);
            this.integer(whole);
            this.byte(46);
            let frac = m - whole * p;
            // Fraction digits right to left, zero-padded to d places.
            const end = this.pos + d;
            for (let k = end - 1; k >= this.pos; k--) {
              const q = Math.floor(frac / 10);
              this.buf[k] = 48 + (frac - q * 10);
              frac = q;
            }
            this.pos = end;
            return;
          }
        }
      }
    }
    this.ascii(String(x));
  }
}
