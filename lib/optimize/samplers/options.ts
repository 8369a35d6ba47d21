/**
 * Sampler options as users give them (notebook objects, or strings from the command
 * line): unknown names and bad values fail with a ParamError naming what is allowed.
 */
import { ParamError } from "../../errors";

export class SamplerOptions {
  constructor(
    private readonly sampler: string,
    private readonly given: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(given)) {
      if (!allowed.includes(key)) {
        const list = allowed.length > 0 ? `its options are: ${allowed.join(", ")}` : "it takes no options";
        throw new ParamError(`sampler "${sampler}" has no option "${key}"; ${list}`);
      }
    }
  }

  /** An integer in [min, max]. */
  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.numeric(name, fallback);
    if (!Number.isInteger(v) || v < min || v > max) throw this.bad(name, v, `an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? "inf" : max}]`);
    return v;
  }

  /** A finite number in (min, max] when `exclusiveMin`, else [min, max]. */
  number(name: string, fallback: number, min: number, max: number, exclusiveMin = false): number {
    const v = this.numeric(name, fallback);
    const ok = Number.isFinite(v) && (exclusiveMin ? v > min : v >= min) && v <= max;
    if (!ok) throw this.bad(name, v, `a number in ${exclusiveMin ? "(" : "["}${min}, ${max}]`);
    return v;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.given[name];
    if (v === undefined) return fallback;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw this.bad(name, v, "true or false");
  }

  private numeric(name: string, fallback: number): number {
    const v = this.given[name];
    if (v === undefined) return fallback;
    if (typeof v === "number") return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    throw this.bad(name, v, "a number");
  }

  private bad(name: string, v: unknown, what: string): ParamError {
    return new ParamError(`sampler "${this.sampler}" option ${name} = ${JSON.stringify(v)}; use ${what}`);
  }
}
