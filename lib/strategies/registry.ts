/**
 * The strategy registry. Adding a strategy: one new file exporting a `Strategy`, plus
 * its line in BUILT_IN below. Overlays compose with any strategy by name:
 * "sma_cross+regime", "rsi_reversion+regime+volcap".
 */
import { ParamError, quote } from "../errors";
import { bollingerReversion } from "./bollinger-reversion";
import { donchianBreakout } from "./donchian-breakout";
import { emaCross } from "./ema-cross";
import { keltnerBreakout } from "./keltner-breakout";
import { macd } from "./macd";
import { mlSignal } from "./ml-signal";
import { rsiReversion } from "./rsi-reversion";
import { smaCross } from "./sma-cross";
import { supertrend } from "./supertrend";
import type { Strategy } from "./types";
import { OVERLAYS, withOverlay } from "./overlays";

const BUILT_IN: readonly Strategy[] = [
  smaCross,
  donchianBreakout,
  rsiReversion,
  emaCross,
  bollingerReversion,
  macd,
  supertrend,
  keltnerBreakout,
  mlSignal,
];

const byName = new Map(BUILT_IN.map((s) => [s.name, s]));
const builtInNames = new Set(BUILT_IN.map((s) => s.name));

/** Whether `name` is a built-in base strategy (workers know it without being sent its code). */
export function isBuiltIn(name: string): boolean {
  return builtInNames.has(name);
}

/** Names of the built-in base strategies. */
export function strategyNames(): string[] {
  return [...byName.keys()];
}

export function overlayNames(): string[] {
  return Object.keys(OVERLAYS);
}

/** Look up "base[+overlay...]"; throws ParamError listing what exists. */
export function getStrategy(name: string): Strategy {
  const [baseName, ...overlays] = name.split("+").map((s) => s.trim());
  const base = byName.get(baseName);
  if (base === undefined) {
    throw new ParamError(`unknown strategy ${quote(baseName)}; available: ${strategyNames().join(", ")} (add overlays with +${overlayNames().join(", +")})`);
  }
  const twice = overlays.find((o, i) => overlays.indexOf(o) !== i);
  if (twice !== undefined) throw new ParamError(`overlay "+${twice}" appears twice in ${quote(name)}; each overlay applies once`);
  return overlays.reduce((s, o) => {
    const overlay = Object.prototype.hasOwnProperty.call(OVERLAYS, o) ? OVERLAYS[o] : undefined;
    if (overlay === undefined) throw new ParamError(`unknown overlay ${quote(o)} in ${quote(name)}; available overlays: ${overlayNames().join(", ")}`);
    return withOverlay(s, overlay);
  }, base);
}

/** Register a strategy at run time (notebooks experimenting with their own). */
export function registerStrategy(s: Strategy): void {
  if (s.name.includes("+")) throw new ParamError(`strategy name "${s.name}" may not contain "+" (reserved for overlays)`);
  if (builtInNames.has(s.name)) throw new ParamError(`strategy name "${s.name}" is taken by a built-in strategy; choose another`);
  byName.set(s.name, s);
}
