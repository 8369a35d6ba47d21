/**
 * The package links itself into node_modules/stratlab, so notebooks (which tslab compiles
 * with rootDir = their own folder, so `../lib/*.ts` is out of reach) can
 * `import { ... } from "stratlab"` and get the compiled dist/ with its .d.ts.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { SetupError } from "./setup-error";

export type LinkAction = "created" | "exists" | "replaced";

export interface LinkResult {
  path: string;
  target: string;
  action: LinkAction;
}

/** Make node_modules/<name> a relative symlink to the package root; idempotent. */
export function linkPackage(root: string, name = "stratlab"): LinkResult {
  const nodeModules = join(root, "node_modules");
  const path = join(nodeModules, name);
  // Relative, so the link survives moving or copying the whole tree.
  const target = relative(nodeModules, root) || ".";
  let action: LinkAction = "created";
  const existing = lstatOrNull(path);
  if (existing) {
    if (existing.isSymbolicLink() && resolve(nodeModules, readlinkSync(path)) === resolve(root)) {
      return { path, target, action: "exists" };
    }
    if (!existing.isSymbolicLink()) {
      // A real folder here would be an installed copy shadowing the working tree.
      throw new SetupError(`${path} is a ${existing.isDirectory() ? "folder" : "file"}, not a link to this package; remove it and run: npx stratlab setup`);
    }
    rmSync(path);
    action = "replaced";
  }
  try {
    mkdirSync(nodeModules, { recursive: true });
    symlinkSync(target, path, "dir");
  } catch (e) {
    throw new SetupError(`cannot link ${path} -> ${target} (${(e as NodeJS.ErrnoException).code ?? e}); check permissions of ${nodeModules}`);
  }
  return { path, target, action };
}

/**
 * node_modules/.bin/<bin> for each `bin` of package.json, as npm does for a dependency, so
 * `npx stratlab` runs this tree's CLI at once (without it, npm exec installs the project
 * into its own cache first). Returns the links made or checked.
 */
export function linkBins(root: string, name = "stratlab"): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin?: Record<string, string> | string };
  const bins = typeof pkg.bin === "string" ? { [name]: pkg.bin } : (pkg.bin ?? {});
  const binDir = join(root, "node_modules", ".bin");
  const made: string[] = [];
  for (const [bin, file] of Object.entries(bins)) {
    const path = join(binDir, bin);
    const target = join("..", name, file);
    try {
      const script = join(root, file);
      chmodSync(script, statSync(script).mode | 0o111);
      const existing = lstatOrNull(path);
      if (existing?.isSymbolicLink() && readlinkSync(path) === target) {
        made.push(path);
        continue;
      }
      if (existing) rmSync(path);
      mkdirSync(binDir, { recursive: true });
      symlinkSync(target, path);
    } catch (e) {
      throw new SetupError(`cannot link ${path} -> ${target} (${(e as NodeJS.ErrnoException).code ?? e}); run: npm run build, then npx stratlab setup`);
    }
    made.push(path);
  }
  return made;
}

/** The files `main`/`types` name must exist, and "stratlab" must resolve to them from notebooks/. */
export function checkResolvable(root: string, from = join(root, "notebooks")): string {
  const main = join(root, "dist", "lib", "index.js");
  for (const f of [main, join(root, "dist", "lib", "index.d.ts"), join(root, "dist", "lib", "cli", "main.js")]) {
    if (!lstatOrNull(f)) throw new SetupError(`${relative(root, f)} is missing: the build did not complete; run: npm run build`);
  }
  let resolved: string;
  try {
    resolved = createRequire(join(from, "_.js")).resolve("stratlab");
  } catch (e) {
    throw new SetupError(`"stratlab" does not resolve from ${relative(root, from) || "."} (${(e as Error).message.split("\n")[0]}); run: npx stratlab setup`);
  }
  if (resolve(resolved) !== resolve(main)) {
    throw new SetupError(`"stratlab" resolves to ${resolved}, not this package's ${main}; remove the other copy and run: npx stratlab setup`);
  }
  return resolved;
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
