/**
 * A danfo DataFrame view of bars for notebooks (describe, head, plotting helpers).
 * danfojs-node pulls in TensorFlow.js, which costs a second or more to load, so it is
 * required here on first use rather than imported: `import { ... } from "stratlab"` stays fast.
 */
import type { DataFrame } from "danfojs-node";
import { isoTime, type Bars } from "./bars";

type Danfo = typeof import("danfojs-node");
let danfo: Danfo | undefined;

/** Columns timestamp (ISO 8601 UTC strings), open, high, low, close, volume; one row per bar (a copy). */
export function toDataFrame(bars: Bars): DataFrame {
  danfo ??= require("danfojs-node") as Danfo;
  const n = bars.length;
  const timestamp: string[] = new Array(n);
  for (let i = 0; i < n; i++) timestamp[i] = isoTime(bars.t[i]);
  return new danfo.DataFrame(
    {
      timestamp,
      open: Array.from(bars.open),
      high: Array.from(bars.high),
      low: Array.from(bars.low),
      close: Array.from(bars.close),
      volume: Array.from(bars.volume),
    },
    { columns: ["timestamp", "open", "high", "low", "close", "volume"] },
  );
}
