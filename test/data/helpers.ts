/** Temp folders and CSV text for the data tests. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The real exchange files (optional: tests that need them skip when they are absent). */
export const SHARED_DATA = resolve(__dirname, "../../../shared/data");
export const BINANCE_CSV = join(SHARED_DATA, "btcusdt_5m_binance_2024-03_2025-07.csv");
export const BITMEX_CSV = join(SHARED_DATA, "xbtusd_5m_bitmex_2017-01_2019-06.csv");

export function tempDir(): { dir: string; file: (name: string, text: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "stratlab-data-"));
  return {
    dir,
    file: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const HEADER = "timestamp,open,high,low,close,volume";
