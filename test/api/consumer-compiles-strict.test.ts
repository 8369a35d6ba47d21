/**
 * The public API as a consumer sees it: every example of docs/api.md, with every export of
 * "stratlab" imported, compiles under `strict` against the built package's declarations
 * (dist/lib/index.d.ts, reached through node_modules/stratlab as a user's script would), in
 * one TypeScript program; and every value the package exports is documented there.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const DOC = readFileSync(join(ROOT, "docs", "api.md"), "utf8");
const ENTRY = join(ROOT, "dist", "lib", "index.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const exported = Object.keys(require(ENTRY) as Record<string, unknown>).filter((k) => k !== "__esModule");

function examples(): string[] {
  return [...DOC.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe("docs/api.md", () => {
  it("documents every value stratlab exports", () => {
    const missing = exported.filter((name) => !new RegExp(`\\b${name}\\b`).test(DOC));
    expect(missing, "exports without a mention in docs/api.md").toEqual([]);
  });

  it("its examples compile under strict against the built package's types", () => {
    const blocks = examples();
    expect(blocks.length).toBeGreaterThan(10);
    const source = [
      `import { ${exported.join(", ")} } from "stratlab";`,
      `import type { Bars, CostTable } from "stratlab";`,
      "declare const bars: Bars;",
      "declare const costs: CostTable;",
      "declare const dir: string;",
      "declare const result: OptimizeResult;",
      ...blocks.map((b, i) => `export async function example${i}(): Promise<void> {\n${b}}\n`),
    ].join("\n");
    const file = join(ROOT, "test", "api", "consumer.generated.ts");
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts"],
      types: ["node"],
      skipLibCheck: true,
    };
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, onError) => (resolve(name) === file ? ts.createSourceFile(name, source, lang) : read(name, lang, onError));
    host.fileExists = ((exists) => (name: string) => resolve(name) === file || exists(name))(host.fileExists.bind(host));
    const program = ts.createProgram([file], options, host);
    // The types come from the build, not the sources.
    expect(program.getSourceFiles().some((f) => f.fileName.endsWith("dist/lib/index.d.ts"))).toBe(true);
    const diags = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
      const line = where && d.file?.fileName === file ? source.split("\n")[where.line] : "";
      return `${d.file?.fileName ?? ""}:${where ? where.line + 1 : ""} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}${line ? `\n    ${line.trim()}` : ""}`;
    });
    expect(diags).toEqual([]);
  });
});
