/** Notebooks resolve "stratlab" through the link setup makes: idempotent, checked, with the CLI's bin. */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { aptUnavailable } from "../../lib/setup/apt";
import { checkResolvable, linkBins, linkPackage } from "../../lib/setup/link";
import { SetupError } from "../../lib/setup/setup-error";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

/** A package tree shaped like this one, with its build output. */
function fakePackage(): string {
  const root = mkdtempSync(join(tmpdir(), "stratlab-link-"));
  roots.push(root);
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "stratlab", main: "dist/lib/index.js", types: "dist/lib/index.d.ts", bin: { stratlab: "dist/lib/cli/main.js" } }));
  for (const d of ["lib", "notebooks", "dist/lib/cli"]) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, "dist/lib/index.js"), "module.exports = { ok: true };\n");
  writeFileSync(join(root, "dist/lib/index.d.ts"), "export declare const ok: boolean;\n");
  writeFileSync(join(root, "dist/lib/cli/main.js"), "#!/usr/bin/env node\n");
  return realpathSync(root);
}

describe("stratlab link", () => {
  it("links node_modules/stratlab to the root, relative, once", () => {
    const root = fakePackage();
    expect(linkPackage(root).action).toBe("created");
    expect(readlinkSync(join(root, "node_modules/stratlab"))).toBe("..");
    expect(linkPackage(root).action).toBe("exists");
    expect(checkResolvable(root)).toBe(join(root, "dist/lib/index.js"));
  });

  it("replaces a link that points elsewhere, refuses a real folder", () => {
    const root = fakePackage();
    mkdirSync(join(root, "node_modules"));
    symlinkSync(tmpdir(), join(root, "node_modules/stratlab"));
    expect(linkPackage(root).action).toBe("replaced");
    rmSync(join(root, "node_modules/stratlab"));
    mkdirSync(join(root, "node_modules/stratlab"));
    expect(() => linkPackage(root)).toThrow(SetupError);
    expect(() => linkPackage(root)).toThrow(/is a folder, not a link/);
  });

  it("fails with one line naming the missing build output", () => {
    const root = fakePackage();
    linkPackage(root);
    rmSync(join(root, "dist/lib/index.d.ts"));
    expect(() => checkResolvable(root)).toThrow("dist/lib/index.d.ts is missing: the build did not complete; run: npm run build");
  });

  it("links the CLI into node_modules/.bin and makes it executable", () => {
    const root = fakePackage();
    linkPackage(root);
    expect(linkBins(root)).toEqual([join(root, "node_modules/.bin/stratlab")]);
    expect(lstatSync(join(root, "node_modules/.bin/stratlab")).isSymbolicLink()).toBe(true);
    expect(existsSync(join(root, "node_modules/.bin/stratlab"))).toBe(true);
    expect(statSync(join(root, "dist/lib/cli/main.js")).mode & 0o111).toBe(0o111);
    expect(linkBins(root)).toHaveLength(1);
  });

  it("never runs apt-get when STRATLAB_SKIP_APT=1", () => {
    vi.stubEnv("STRATLAB_SKIP_APT", "1");
    expect(aptUnavailable()).toBe("STRATLAB_SKIP_APT=1");
  });
});
