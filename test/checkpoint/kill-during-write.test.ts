import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckpointService } from "../../lib/checkpoint";
import { childScript, requireDist, startChild, tempRoot } from "./helpers";

beforeAll(requireDist);

// Saves big checkpoints back to back (3 MB state, 8 MB artifact), pruning to the newest two as
// the progress bridge does, and reports each one once it is in the index.
const WRITER = `
  const crypto = require("node:crypto");
  const s = new ckpt.CheckpointService({ root: process.argv[2] });
  const kept = s.list({ operationId: "bt-kill" }).map((c) => c.id);
  const equity = Array.from({ length: 200000 }, (_, i) => i / 7);
  for (let n = kept.length; ; n++) {
    const meta = s.save("bt-kill", "periodic", { n, equity }, { "model.bin": crypto.randomBytes(8 * 1024 * 1024) }, { unit: n });
    kept.push(meta.id);
    while (kept.length > 2) s.delete(kept.shift());
    say({ saved: meta.id, n });
  }
`;

describe("SIGKILL during a checkpoint write", () => {
  it("leaves the previous checkpoint loadable, every time", async () => {
    const root = tempRoot();
    const script = childScript(root, "writer.js", WRITER);
    const service = new CheckpointService({ root });
    let leftovers = 0;
    // At least 5 rounds, more (up to 12) until a kill has landed mid-save: on a fast disk a
    // save can finish before a late kill, so the first round of each pair kills at once.
    for (let round = 0; round < 12 && (round < 5 || leftovers === 0); round++) {
      const child = startChild(script, [root]);
      const first = await child.waitFor((l) => "saved" in l);
      // Aim at the write: wait for the next checkpoint's folder to appear, then kill at a
      // random moment (a save takes a few hundred ms here; the kill may also land later),
      // or at once in even rounds.
      const opDir = join(root, "bt-kill");
      const known = new Set(service.list().map((c) => c.id));
      while (child.proc.exitCode === null && readdirSync(opDir).every((d) => known.has(d))) await new Promise((r) => setTimeout(r, 2));
      if (round % 2 === 1) await new Promise((r) => setTimeout(r, Math.random() * 250));
      child.proc.kill("SIGKILL");
      expect((await child.exited).signal).toBe("SIGKILL");
      const reported = (child.lines.filter((l) => "saved" in l).pop() ?? first) as { saved: string; n: number };

      // The newest checkpoint loads and verifies; it is the last one reported or the one after
      // it (in the index but killed before it could say so).
      const latest = service.loadLatest<{ n: number; equity: number[] }>("bt-kill");
      expect(latest.meta.unit! - reported.n).toBeGreaterThanOrEqual(0);
      expect(latest.meta.unit! - reported.n).toBeLessThanOrEqual(1);
      expect(latest.state.n).toBe(latest.meta.unit);
      expect(latest.state.equity).toHaveLength(200_000);
      expect(latest.artifacts["model.bin"]!.length).toBe(8 * 1024 * 1024);
      // Every indexed checkpoint verifies, not just the newest.
      for (const c of service.list({ operationId: "bt-kill" })) expect(() => service.load(c.id)).not.toThrow();

      // Did this kill land mid-save? Then it left an unlisted folder or a temp file behind.
      const listed = new Set(service.list().map((c) => c.id));
      const unlisted = readdirSync(opDir).filter((d) => !listed.has(d));
      const temps = (readdirSync(opDir, { recursive: true }) as string[]).filter((f) => f.endsWith(".tmp"));
      if (unlisted.length + temps.length > 0) leftovers++;
    }
    // The kills really did interrupt writes (a test that never hits a write proves nothing).
    expect(leftovers).toBeGreaterThan(0);
    // cleanup removes what killed saves left behind once it is old enough.
    const later = new CheckpointService({ root, clock: { now: () => Date.now() + 3_600_000 } });
    const r = later.cleanup({ maxAge: "30m", dryRun: true });
    expect(r.orphans.length).toBeGreaterThan(0);
    expect(existsSync(join(root, "index.json"))).toBe(true);
  });
});
