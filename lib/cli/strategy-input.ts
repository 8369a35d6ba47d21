/** The options every command that runs one strategy on bars takes (evaluate, backtest). */
import { DEFAULT_COSTS, DEFAULT_DATA } from "../paths";
import type { OptionSpec } from "./command";

export const STRATEGY_INPUT_OPTIONS: OptionSpec = {
  strategy: { type: "string" },
  params: { type: "string" },
  "trade-size": { type: "string" },
  data: { type: "string" },
  costs: { type: "string" },
};

/** Their help lines, the descriptions starting at column `width` + 4. */
export function strategyInputUsage(width: number, tradeSize: string): string[] {
  const line = (opt: string, text: string) => `  --${opt.padEnd(width)}  ${text}`;
  return [
    line("strategy", "a registered strategy, optionally with overlays: sma_cross, sma_cross+regime"),
    line("params", "JSON object (or @file.json); missing parameters take their defaults"),
    line("trade-size", tradeSize),
    line("data", `OHLCV CSV (default ${DEFAULT_DATA})`),
    line("costs", `swap cost table (default ${DEFAULT_COSTS})`),
  ];
}
