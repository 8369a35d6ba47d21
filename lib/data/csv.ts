/** PLACEHOLDER (the data module replaces this): load OHLCV CSV into shared Bars. */
import type { Bars } from "./bars";

export interface LoadOptions {
  /** Non-fatal findings (gaps in the time grid): one line each. */
  onWarning?: (message: string) => void;
}

export function loadBars(path: string, _opts: LoadOptions = {}): Bars {
  throw new Error(`loadBars(${path}) is not implemented yet`);
}
