/**
 * The code version a trial depends on: sha256 over the compiled library (dist/lib, every
 * .js file by relative path and content). A coordinator and its workers must agree on it,
 * or the same params could give other numbers on another machine.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DIST_DIR } from "../paths";

let cached: string | undefined;

export function codeHash(root = join(DIST_DIR, "lib")): string {
  if (cached !== undefined && root === join(DIST_DIR, "lib")) return cached;
  const h = createHash("sha256");
  if (existsSync(root)) {
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".js")).sort();
    for (const f of files) {
      h.update(relative(root, join(root, f)).split("\\").join("/"));
      h.update("\0");
      h.update(readFileSync(join(root, f)));
      h.update("\0");
    }
  }
  const out = h.digest("hex");
  if (root === join(DIST_DIR, "lib")) cached = out;
  return out;
}
