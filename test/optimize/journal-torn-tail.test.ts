import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunError } from "../../lib/errors";
import { TrialJournal } from "../../lib/optimize/storage";
import { childScript, line, lines, removeTempDirs, requireDist, spawnChild, tempDir } from "./journal-fixtures";

afterAll(removeTempDirs);

const whole = (n: number) => lines(0, n).map((t) => JSON.stringify(t) + "\n").join("");

function journalWith(text: string | Buffer): { dir: string; j: TrialJournal } {
  const dir = tempDir();
  writeFileSync(join(dir, "trials.jsonl"), text);
  return { dir, j: new TrialJournal(join(dir, "trials.jsonl")) };
}

const tornFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith("trials.jsonl.torn-"));

describe("trial journal: a torn last line", () => {
  it("is reported (line, bytes, text) and dropped by read, which leaves the file alone", () => {
    const tail = JSON.stringify(line(3)).slice(0, 700);
    const { j } = journalWith(whole(3) + tail);
    const before = readFileSync(j.path);
    const r = j.read();
    expect(r.trials.map((t) => t.id)).toEqual([0, 1, 2]);
    expect(r.torn).toEqual({ line: 4, bytes: 700, text: tail.slice(0, 500) + "…" });
    expect(r.cleanBytes).toBe(Buffer.byteLength(whole(3)));
    expect(readFileSync(j.path).equals(before)).toBe(true);
  });

  it("counts a whole JSON line without its newline as torn (a line is done only with its \\n)", () => {
    const last = JSON.stringify(line(3));
    const r = journalWith(whole(3) + last).j.read();
    expect(r.trials).toHaveLength(3);
    expect(r.torn).toMatchObject({ line: 4, bytes: Buffer.byteLength(last) });
  });

  it("counts an unparsable last line that has its newline (zeros from a lost block) as torn", () => {
    const garbage = Buffer.concat([Buffer.from(whole(2)), Buffer.alloc(37), Buffer.from("\n")]);
    const r = journalWith(garbage).j.read({ results: false });
    expect(r.trials).toHaveLength(2);
    expect(r.torn).toMatchObject({ line: 3, bytes: 38 });
  });

  it("is saved to trials.jsonl.torn-<stamp> and cut away on openForAppend, so the next append starts clean", () => {
    const tail = JSON.stringify(line(3)).slice(0, 123);
    const { dir, j } = journalWith(whole(3) + tail);
    const o = j.openForAppend();
    expect(o.torn).toMatchObject({ line: 4, bytes: 123 });
    expect(o.tornBackup).toMatch(/trials\.jsonl\.torn-\d{8}T\d{6}Z$/);
    expect(readFileSync(o.tornBackup!, "utf8")).toBe(tail);
    expect(readFileSync(j.path, "utf8")).toBe(whole(3));
    j.append([line(3), line(4)]);
    j.close();
    const r = j.read();
    expect(r.torn).toBeNull();
    expect(r.trials).toEqual(lines(0, 5));
    expect(tornFiles(dir)).toHaveLength(1);
  });

  it("keeps every torn tail when it happens twice in the same second", () => {
    const { dir, j } = journalWith(whole(1) + "{\"v\":1,");
    j.openForAppend();
    j.close();
    writeFileSync(j.path, whole(1) + "{\"v\":1,\"id\"");
    const o = j.openForAppend();
    j.close();
    expect(tornFiles(dir)).toHaveLength(2);
    expect(readFileSync(o.tornBackup!, "utf8")).toBe("{\"v\":1,\"id\"");
  });
});

describe("trial journal: damage before the last line", () => {
  it("is a RunError naming file and line; neither read nor openForAppend changes the file", () => {
    const good = lines(0, 3).map((t) => JSON.stringify(t));
    const { dir, j } = journalWith([good[0], good[1].slice(0, 300), good[2]].join("\n") + "\n" + "{\"torn");
    const before = readFileSync(j.path);
    expect(() => j.read()).toThrow(RunError);
    expect(() => j.read()).toThrow(new RegExp(`${j.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} line 2: not valid JSON .*not the last line`));
    expect(() => j.openForAppend()).toThrow(/line 2: not valid JSON/);
    expect(readFileSync(j.path).equals(before)).toBe(true);
    expect(tornFiles(dir)).toEqual([]);
  });

  it("an unparsable line followed only by a torn tail is still damage, not a tear", () => {
    const { j } = journalWith(whole(2) + "garbage\n" + "{\"v\":1");
    expect(() => j.read()).toThrow(/line 3: not valid JSON/);
  });

  it("a line of the wrong shape is a RunError even when it is the last one", () => {
    const bad = JSON.stringify({ ...line(2), id: "2" });
    expect(() => journalWith(whole(2) + bad + "\n").j.read()).toThrow(/line 3: id "2" is not a trial id/);
    const noStudy = JSON.stringify({ ...line(0), study: 7 });
    expect(() => journalWith(noStudy + "\n" + whole(1)).j.read({ results: false })).toThrow(/line 1: study 7 is not a study key/);
    const v2 = JSON.stringify({ ...line(0), v: 2 });
    expect(() => journalWith(v2 + "\n").j.read()).toThrow(/line 1: format version 2/);
  });

  it("a trial recorded twice is a RunError naming both lines", () => {
    const { j } = journalWith(whole(3) + JSON.stringify(line(1)) + "\n");
    expect(() => j.read()).toThrow(/lines 2 and 4/);
    expect(() => j.read({ results: false })).toThrow(/trial 1 of study "sma_cross\|mar\|1y" is recorded twice/);
  });
});

describe("trial journal: a failed append", () => {
  it("is cut back to the last whole line (file-size limit hit mid-batch, real process)", async () => {
    requireDist();
    const dir = tempDir();
    const path = join(dir, "trials.jsonl");
    // Lines are made here (fixtures are TypeScript) and handed to the child as JSON.
    writeFileSync(join(dir, "lines.json"), JSON.stringify(lines(0, 40)));
    const script = childScript(
      dir,
      "append-over-limit.js",
      `const all = JSON.parse(require("fs").readFileSync(${JSON.stringify(join(dir, "lines.json"))}, "utf8"));
const j = new storage.TrialJournal(${JSON.stringify(path)});
j.openForAppend();
j.append(all.slice(0, 4));
try { j.append(all.slice(4, 40)); console.log("no error"); } catch (e) { console.log("append failed: " + e.name + ": " + e.message); }
console.log("size " + require("fs").statSync(${JSON.stringify(path)}).size);
j.append(all.slice(4, 5));
console.log("done");`,
    );
    // ulimit -f counts 1024-byte blocks: 4 lines fit in 64 KB, 40 do not.
    const child = spawnChild(script, [], { shell: "ulimit -f 64" });
    const { code } = await child.exited;
    expect(child.stderr()).toBe("");
    expect(code).toBe(0);
    expect(child.stdout()).toMatch(/append failed: RunError: .*trials\.jsonl: could not append 36 trial\(s\) \(EFBIG\); the journal was cut back to its last whole line/);
    expect(child.stdout()).toContain(`size ${Buffer.byteLength(whole(4))}`);
    expect(child.stdout()).toContain("done");
    const r = new TrialJournal(path).read();
    expect(r.torn).toBeNull();
    expect(r.trials).toEqual(lines(0, 5));
  });
});
