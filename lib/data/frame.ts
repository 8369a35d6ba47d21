/**
 * A danfo DataFrame view of bars for notebooks (describe, head, plotting helpers).
 * danfojs-node pulls in TensorFlow.js, which costs a second or more to load, so it is
 * required here on first use rather than imported: `import { ... } from "stratlab"` stays fast.
 */
import type { DataFrame } from "danfojs-node";
import { isoTime, type Bars } from "./bars";

type Danfo = typeof import("danfojs-node");
let danfo: Danfo | undefined;
const onLoad: Array<(d: Danfo) => void> = [];

/** danfojs-node, loaded on first use; the hooks of `onDanfoLoad` run once when it loads. */
export function loadDanfo(): Danfo {
  if (danfo === undefined) {
    danfo = require("danfojs-node") as Danfo;
    for (const hook of onLoad.splice(0)) hook(danfo);
  }
  return danfo;
}

/** Run `hook` when danfo is loaded (at once if it is): the notebook display adds its HTML view of frames. */
export function onDanfoLoad(hook: (d: Danfo) => void): void {
  if (danfo !== undefined) hook(danfo);
  else onLoad.push(hook);
}

/** Columns timestamp (ISO 8601 UTC strings), open, high, low, close, volume; one row per bar (a copy). */
export function toDataFrame(bars: Bars): DataFrame {
  const dfd = loadDanfo();
  const n = bars.length;
  const timestamp: string[] = new Array(n);
  for (let i = 0; i < n; i++) timestamp[i] = isoTime(bars.t[i]);
  return new dfd.DataFrame(
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
