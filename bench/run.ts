/**
 * `npm run bench [-- SECTION ...] [--json]`: the speed figures of the project (speed
 * targets live here, as printed figures and ratios measured in one run, not in timed
 * tests). Tables on stdout under a header naming the machine; with --json exactly one
 * JSON document on stdout, progress on stderr. docs/benchmarks.md explains every figure.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism, cpus, totalmem } from "node:os";
import { loadCostTable } from "../lib/costs/load";
import { loadBars } from "../lib/data/csv";
import { ensureDefaultData } from "../lib/data/generate";
import { workerCount } from "../lib/optimize/pool";
import { gitCommit } from "../lib/optimize/storage";
import { DEFAULT_COSTS, DEFAULT_DATA, PACKAGE_ROOT } from "../lib/paths";
import { dataSection } from "./data";
import { efficiencySection } from "./efficiency";
import { evaluatorSection } from "./evaluator";
import { loadAverage, round } from "./measure";
import { optimizerSection } from "./optimizer";
import { reportSection } from "./report";
import { scaleSection } from "./scale";
import { tempDirs, type BenchContext, type Section } from "./section";
import { serviceSection } from "./service";
import { storageSection } from "./storage";
import { trainingSection } from "./training";
import { renderTable, type Table } from "./table";

const SECTIONS: readonly Section[] = [evaluatorSection, optimizerSection, efficiencySection, dataSection, storageSection, reportSection, trainingSection, scaleSection, serviceSection];

const USAGE = `usage: npm run bench -- [SECTION ...] [--json]
sections: ${SECTIONS.map((s) => s.name).join(", ")} (default: all, in this order)
--json   print one JSON document on stdout (progress goes to stderr)`;

interface Args {
  sections: Section[];
  json: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const names: string[] = [];
  let json = false;
  for (const a of argv) {
    if (a === "--json") json = true;
    else if (a === "--help" || a === "-h") return USAGE;
    else if (a.startsWith("-")) return `unknown option ${a}\n${USAGE}`;
    else names.push(a);
  }
  const unknown = names.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length > 0) return `unknown section ${unknown.join(", ")}\n${USAGE}`;
  return { sections: names.length === 0 ? [...SECTIONS] : SECTIONS.filter((s) => names.includes(s.name)), json };
}

function machine() {
  const models = [...new Set(cpus().map((c) => c.model.trim()))];
  return {
    cores: availableParallelism(),
    cpu_model: models.join(" / "),
    cpu_mhz: cpus()[0]?.speed ?? null,
    memory_gb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    pool_workers: workerCount(),
    git_commit: gitCommit(PACKAGE_ROOT),
    load_average_at_start: loadAverage(),
    started: new Date().toISOString(),
  };
}

/** In --json mode anything else that writes to stdout (a worker, a library) goes to stderr: stdout carries one document. */
function divertStdout(): (text: string) => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
  return (text) => void write(text);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === "string") {
    (args === USAGE ? process.stdout : process.stderr).write(args + "\n");
    return args === USAGE ? 0 : 2;
  }
  const print = args.json ? divertStdout() : (text: string) => void process.stdout.write(text);
  const progress = (line: string) => void process.stderr.write(`[bench] ${line}\n`);
  const temp = tempDirs();
  const onSignal = () => {
    temp.removeAll();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const header = machine();
  if (!args.json) {
    print(
      [
        "stratlab benchmarks",
        `machine: ${header.cores} cores, ${header.cpu_model}${header.cpu_mhz ? ` (${header.cpu_mhz} MHz)` : ""}, ${header.memory_gb} GB, ${header.platform}`,
        `node ${header.node} (V8 ${header.v8}); pool default: ${header.pool_workers} workers; commit ${header.git_commit ?? "unknown"}`,
        `load average at start: ${header.load_average_at_start.join(", ")} (1, 5, 15 min)`,
        `sections: ${args.sections.map((s) => s.name).join(", ")}`,
        "",
      ].join("\n") + "\n",
    );
  }

  if (ensureDefaultData(DEFAULT_DATA)) progress(`generated ${DEFAULT_DATA}`);
  const ctx: BenchContext = {
    bars: loadBars(DEFAULT_DATA),
    costs: loadCostTable(DEFAULT_COSTS),
    dataPath: DEFAULT_DATA,
    costsPath: DEFAULT_COSTS,
    progress,
    tempDir: temp.make,
  };
  const results: Record<string, unknown> = {};
  let failed = false;
  try {
    for (const s of args.sections) {
      const loadStart = loadAverage();
      const t0 = performance.now();
      let tables: Table[] = [];
      let entry: Record<string, unknown>;
      try {
        const out = await s.run(ctx);
        tables = out.tables;
        entry = out.figures;
      } catch (e) {
        failed = true;
        entry = { error: (e as Error).stack ?? String(e) };
        progress(`${s.name} failed: ${(e as Error).message}`);
      }
      const seconds = (performance.now() - t0) / 1000;
      const loadEnd = loadAverage();
      results[s.name] = { load_average: { start: loadStart, end: loadEnd }, seconds: round(seconds, 1), ...entry };
      if (!args.json) {
        const head = `== ${s.title} [${s.name}] - ${seconds.toFixed(1)} s; load average ${loadStart.join(", ")} at start, ${loadEnd.join(", ")} at end`;
        const body = "error" in entry ? `FAILED: ${String(entry.error)}` : tables.map(renderTable).join("\n\n");
        print(`${head}\n\n${body}\n\n`);
      }
    }
  } finally {
    temp.removeAll();
  }
  const loadEnd = loadAverage();
  if (args.json) print(JSON.stringify({ machine: { ...header, load_average_at_end: loadEnd }, sections: results }, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n");
  else print(`load average at end: ${loadEnd.join(", ")}\n`);
  return failed ? 1 : 0;
}

// The allocation figures need the `gc` of --expose-gc; `node dist/bench/run.js` alone gets it by re-running itself.
if ((globalThis as { gc?: unknown }).gc === undefined) {
  const r = spawnSync(process.execPath, ["--expose-gc", ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exitCode = r.status ?? 1;
} else {
  main().then(
    (code) => (process.exitCode = code),
    (e: Error) => {
      process.stderr.write(`bench: ${e.stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
