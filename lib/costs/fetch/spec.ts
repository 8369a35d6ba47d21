/**
 * What `stratlab costs fetch` is asked to do, from its options: the same record whether it
 * comes from the command line, stratlab.config.json or STRATLAB_COST_SOURCE (keys are the
 * option names: "impact-path", "step", ...). Validation is here, once; every failure is a
 * UsageError naming the option. Header values hold only `$ENV_VAR` references to secrets:
 * they are resolved from the environment at fetch time and never stored.
 */
import { parseDuration } from "../../checkpoint/duration";
import { UsageError } from "../../errors";
import { IMPACT_UNITS, checkPath, type ImpactUnit } from "./answer";
import { checkPool } from "./amm";
import { planSizes } from "./plan";

export type OptionRecord = Record<string, string | number | boolean | string[] | boolean[] | undefined>;

export interface HeaderSpec {
  name: string;
  /** The value as given, with `$VAR` / `${VAR}` references (never a resolved secret). */
  template: string;
  /** The environment variables it references. */
  vars: string[];
}

export interface Pair {
  base: string;
  quote: string;
}

export interface HttpSourceSpec {
  kind: "http";
  url: string;
  impactPath: string;
  impactUnit: ImpactUnit;
  gasPath?: string;
}

export interface AmmSourceSpec {
  kind: "amm";
  /** From the command line... */
  reserveQuote?: number;
  fee?: number;
  /** ...or read once from an endpoint (same template rules as http, without {size}). */
  url?: string;
  reserveQuotePath?: string;
  feePath?: string;
}

export interface FetchSpec {
  source: HttpSourceSpec | AmmSourceSpec;
  pair?: Pair;
  headers: HeaderSpec[];
  /** Gas per swap (quote currency) when the answers do not state it. */
  gas?: number;
  step: number;
  end: number;
  sizes: number[];
  parallel: number;
  pauseMs: number;
  timeoutMs: number;
  retries: number;
  allowNonMonotone: boolean;
}

/** Every option a fetch reads (the keys of a configured source). */
export const FETCH_OPTION_NAMES = [
  "source", "url", "pair", "impact-path", "impact-unit", "gas-path", "gas", "step", "end", "parallel", "pause", "timeout", "retries",
  "header", "allow-non-monotone", "reserve-quote", "reserve-quote-path", "fee", "fee-path",
] as const;

export const FETCH_DEFAULTS = { parallel: 8, pause: "60s", timeout: "10s", retries: 5 } as const;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const ENV_REF = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function text(o: OptionRecord, name: string): string | undefined {
  const v = o[name];
  if (v === undefined || v === false) return undefined;
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  throw new UsageError(`--${name} must be a single value, got ${JSON.stringify(v)}`);
}

/** Bounds of the numeric options: larger is a typo (and 1e308 overflows the arithmetic). */
const MAX_GAS = 1e6; // as the cost table's own bound on gas
const MAX_SIZE = 1e12; // as the largest trade size a search takes
const MAX_RESERVE = 1e12; // a trillion in quote currency: no pool holds more

function number(o: OptionRecord, name: string, check: (x: number) => boolean, what: string): number | undefined {
  const v = text(o, name);
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x) || !check(x)) throw new UsageError(`--${name} ${JSON.stringify(v)} must be ${what}`);
  return x;
}

function duration(o: OptionRecord, name: string, fallback: string): number {
  const v = text(o, name) ?? fallback;
  // A bare number is seconds, as in "--pause 60".
  return /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) * 1000 : parseDuration(v, `--${name}`);
}

function path(o: OptionRecord, name: string): string | undefined {
  const v = text(o, name);
  if (v === undefined) return undefined;
  const bad = checkPath(v, `--${name}`);
  if (bad) throw new UsageError(bad);
  return v;
}

/** The placeholders a template may hold, checked: {size} where sizes are asked, {base}/{quote} only with --pair. */
export function checkTemplate(url: string, opts: { needsSize: boolean; pair?: Pair }): void {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(PLACEHOLDER, "x"));
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL; e.g. --url 'https://quotes.example/v1?amount={size}'`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError(`--url must be http or https, got ${parsed.protocol}`);
  const names = [...url.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  for (const n of names) {
    if (n !== "size" && n !== "base" && n !== "quote") throw new UsageError(`--url has an unknown placeholder {${n}}; allowed: {size}, {base}, {quote}`);
    if (n !== "size" && opts.pair === undefined) throw new UsageError(`--url uses {${n}}: give --pair BASE/QUOTE, e.g. --pair BTC/USDC`);
  }
  if (opts.needsSize && !names.includes("size")) throw new UsageError(`--url must hold {size}, where the trade size goes, e.g. 'https://quotes.example/v1?amount={size}'`);
}

/** The template with its placeholders filled (URL-encoded). */
export function expandTemplate(url: string, size: number | undefined, pair: Pair | undefined): string {
  return url.replace(PLACEHOLDER, (_, n: string) => encodeURIComponent(n === "size" ? String(size) : n === "base" ? pair!.base : pair!.quote));
}

export function parseHeader(raw: string): HeaderSpec {
  const colon = raw.indexOf(":");
  const name = colon < 0 ? "" : raw.slice(0, colon).trim();
  if (!HEADER_NAME.test(name)) throw new UsageError(`--header must be 'Name: value' with secrets as $ENV_VAR, e.g. --header 'x-api-key: $QUOTE_API_KEY'`);
  const template = raw.slice(colon + 1).trim();
  const vars = [...template.matchAll(ENV_REF)].map((m) => m[1] ?? m[2]!);
  return { name, template, vars };
}

/**
 * Header values with their `$VAR` references filled from `env`, and the secrets (the
 * filled values) that must be kept out of every line and file.
 */
export function resolveHeaders(specs: readonly HeaderSpec[], env: NodeJS.ProcessEnv): { headers: Record<string, string>; secrets: string[] } {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  for (const h of specs) {
    headers[h.name] = h.template.replace(ENV_REF, (_, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!;
      const value = env[name];
      if (value === undefined || value === "") throw new UsageError(`--header ${h.name}: the environment variable ${name} is not set`);
      secrets.push(value);
      return value;
    });
  }
  return { headers, secrets };
}

/** `text` with every secret replaced by "***" (longest first, so a secret inside another goes too). */
export function redact(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s !== "") out = out.split(s).join("***");
  return out;
}

function parsePair(v: string | undefined): Pair | undefined {
  if (v === undefined) return undefined;
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(v.trim());
  if (m === null) throw new UsageError(`--pair ${JSON.stringify(v)} must be BASE/QUOTE, e.g. BTC/USDC`);
  return { base: m[1]!, quote: m[2]! };
}

function headerList(o: OptionRecord): string[] {
  const v = o.header;
  if (v === undefined) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  throw new UsageError(`--header must be 'Name: $ENV_VAR' (or a list of them in a config file)`);
}


/** The fetch a set of options describes; throws a UsageError naming the first bad option. */
export function parseFetchSpec(o: OptionRecord): FetchSpec {
  const kind = text(o, "source");
  if (kind !== "http" && kind !== "amm") throw new UsageError(`--source must be http or amm${kind === undefined ? "" : `, got ${JSON.stringify(kind)}`}; see: stratlab help costs`);
  const pair = parsePair(text(o, "pair"));
  const headers = headerList(o).map(parseHeader);
  const gasPath = path(o, "gas-path");
  const gas = number(o, "gas", (x) => x >= 0 && x <= MAX_GAS, `a number from 0 to ${MAX_GAS} (quote currency per swap)`);
  if (gas !== undefined && gasPath !== undefined) throw new UsageError("give --gas N or --gas-path PATH, not both");
  const step = number(o, "step", (x) => x > 0 && x <= MAX_SIZE, `a number > 0 and <= ${MAX_SIZE} (quote currency)`);
  const end = number(o, "end", (x) => x > 0 && x <= MAX_SIZE, `a number > 0 and <= ${MAX_SIZE} (quote currency)`);
  if (step === undefined || end === undefined) throw new UsageError("--step and --end are required: sizes step, 2*step, ... up to end, e.g. --step 1000 --end 1000000");
  const sizes = planSizes(step, end);
  const url = text(o, "url");
  let source: HttpSourceSpec | AmmSourceSpec;
  if (kind === "http") {
    if (url === undefined) throw new UsageError("--source http needs --url TEMPLATE holding {size}, e.g. 'https://quotes.example/v1?amount={size}'");
    checkTemplate(url, { needsSize: true, pair });
    const impactPath = path(o, "impact-path");
    if (impactPath === undefined) throw new UsageError("--source http needs --impact-path PATH, the dotted path of the impact in the answer, e.g. data.priceImpact");
    const unit = text(o, "impact-unit") ?? "fraction";
    if (!IMPACT_UNITS.includes(unit as ImpactUnit)) throw new UsageError(`--impact-unit ${JSON.stringify(unit)} must be one of ${IMPACT_UNITS.join(", ")}`);
    if (gas === undefined && gasPath === undefined) throw new UsageError("give the gas per swap: --gas N (quote currency) or --gas-path PATH in the answer");
    source = { kind, url, impactPath, impactUnit: unit as ImpactUnit, ...(gasPath !== undefined ? { gasPath } : {}) };
  } else {
    if (gasPath !== undefined) throw new UsageError("--source amm takes --gas N (quote currency per swap), not --gas-path");
    if (gas === undefined) throw new UsageError("--source amm needs --gas N, the gas per swap in quote currency");
    const reserveQuote = number(o, "reserve-quote", (x) => x > 0 && x <= MAX_RESERVE, `a number > 0 and <= ${MAX_RESERVE} (the pool's quote-side reserve)`);
    const fee = number(o, "fee", (x) => x >= 0 && x < 1, "a fraction in [0, 1) (0.003 = 0.3 %)");
    const reserveQuotePath = path(o, "reserve-quote-path");
    const feePath = path(o, "fee-path");
    if (url === undefined) {
      if (reserveQuotePath !== undefined || feePath !== undefined) throw new UsageError("--reserve-quote-path and --fee-path read an endpoint: give --url too");
      if (reserveQuote === undefined || fee === undefined) throw new UsageError("--source amm needs --reserve-quote R and --fee F (or --url with --reserve-quote-path and --fee-path)");
      const bad = checkPool(reserveQuote, fee);
      if (bad) throw new UsageError(bad);
    } else {
      checkTemplate(url, { needsSize: false, pair });
      if ((reserveQuote === undefined) === (reserveQuotePath === undefined)) throw new UsageError("with --url, give exactly one of --reserve-quote R or --reserve-quote-path PATH");
      if ((fee === undefined) === (feePath === undefined)) throw new UsageError("with --url, give exactly one of --fee F or --fee-path PATH");
    }
    source = { kind, ...(url !== undefined ? { url } : {}), ...(reserveQuote !== undefined ? { reserveQuote } : {}), ...(fee !== undefined ? { fee } : {}), ...(reserveQuotePath !== undefined ? { reserveQuotePath } : {}), ...(feePath !== undefined ? { feePath } : {}) };
  }
  const parallel = number(o, "parallel", (x) => Number.isInteger(x) && x >= 1 && x <= 64, "an integer from 1 to 64") ?? FETCH_DEFAULTS.parallel;
  const retries = number(o, "retries", (x) => Number.isInteger(x) && x >= 0 && x <= 20, "an integer from 0 to 20") ?? FETCH_DEFAULTS.retries;
  const pauseMs = duration(o, "pause", FETCH_DEFAULTS.pause);
  const timeoutMs = duration(o, "timeout", FETCH_DEFAULTS.timeout);
  if (!(timeoutMs > 0)) throw new UsageError("--timeout must be longer than 0, e.g. 10s");
  const allow = o["allow-non-monotone"];
  return {
    source,
    ...(pair !== undefined ? { pair } : {}),
    headers,
    ...(gas !== undefined ? { gas } : {}),
    step,
    end,
    sizes,
    parallel,
    pauseMs,
    timeoutMs,
    retries,
    allowNonMonotone: allow === true || allow === "true",
  };
}

/**
 * What decides the answers (source, paths, pair, sizes, header names): a partial fetch is
 * resumed only by a fetch with the same identity. Pace settings (--parallel, --pause,
 * --timeout, --retries) and --allow-non-monotone may change between attempts.
 */
export function fetchIdentity(spec: FetchSpec): Record<string, unknown> {
  return {
    source: spec.source,
    pair: spec.pair ? `${spec.pair.base}/${spec.pair.quote}` : null,
    headers: spec.headers.map((h) => `${h.name}: ${h.template}`),
    gas: spec.gas ?? null,
    step: spec.step,
    end: spec.end,
  };
}
