/**
 * Overlays: a transformation of any strategy's target exposure (a regime filter, a
 * volatility cap), with parameters of its own, prefixed to avoid clashes.
 */
import type { Constraint, ParamSpec, Params, SignalContext, Strategy } from "../types";
import { regime } from "./regime";
import { volcap } from "./volcap";

export interface Overlay {
  readonly name: string;
  readonly description: string;
  /** Parameter names must start with `${name}_`. */
  readonly params: readonly ParamSpec[];
  readonly constraints?: readonly Constraint[];
  /** Rewrite `w` in place (values stay in [0, 1]). */
  readonly apply: (ctx: SignalContext, p: Params, w: Float64Array) => void;
}

export const OVERLAYS: Record<string, Overlay> = {
  regime,
  volcap,
};

export function withOverlay(base: Strategy, overlay: Overlay): Strategy {
  return {
    name: `${base.name}+${overlay.name}`,
    description: `${base.description} Overlay ${overlay.name}: ${overlay.description}`,
    params: [...base.params, ...overlay.params],
    constraints: [...base.constraints, ...(overlay.constraints ?? [])],
    // An overlay rewrites w in place, so the base decides whether every bar is written.
    fillsEveryBar: base.fillsEveryBar,
    signal(ctx, p, w) {
      base.signal(ctx, p, w);
      overlay.apply(ctx, p, w);
      if (ctx.swaps !== undefined) ctx.swaps.count = -1; // the base's list no longer holds
    },
  };
}
