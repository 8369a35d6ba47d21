/** What the training tests share: a temp folder with a generated bars CSV. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { writeBarsCsv } from "../../lib/data/csv";
import { generateBars } from "../../lib/data/generate";

/**
 * Before the file's tests: a folder `prefix*` in the temp dir holding `bars.csv` (generated
 * bars of `days` days, `seed`), handed to `use(dir, data)`; after them, the folder is removed.
 */
export function withBarsCsv(prefix: string, bars: { days: number; seed: number }, use: (dir: string, data: string) => void): void {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    const data = join(dir, "bars.csv");
    writeBarsCsv(generateBars(bars), data);
    use(dir, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
}
