/**
 * One temp folder per test run: every test (and every process a test starts) makes its
 * temp files under it through os.tmpdir(), and the whole folder goes when the run ends,
 * so a run leaves nothing behind in /tmp however its tests clean up.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "stratlab-test-"));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
