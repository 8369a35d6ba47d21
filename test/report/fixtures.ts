/**
 * Run directories for the report tests, made the way the runner makes them: generated
 * bars and the project's cost table written to files, a manifest built from them, and
 * trials evaluated with the real Evaluator and appended through the real journal.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { CostTable } from "../../lib/costs/cost-table";
import { loadCostTable } from "../../lib/costs/load";
import type { Bars } from "../../lib/data/bars";
import { writeBarsCsv } from "../../lib/data/csv";
import { generateBars } from "../../lib/data/generate";
import { Evaluator } from "../../lib/engine/evaluate";
import type { ObjectiveKey } from "../../lib/engine/metrics";
import type { PeriodKey } from "../../lib/engine/periods";
import { Rng } from "../../lib/random/rng";
import { sampleParams } from "../../lib/optimize/samplers/space";
import { toTrialResult, TrialJournal } from "../../lib/optimize/storage/journal";
import { buildManifest, writeManifest, type RunManifest } from "../../lib/optimize/storage/manifest";
import type { TrialLine } from "../../lib/optimize/storage/types";
import { DEFAULT_COSTS } from "../../lib/paths";
import { satisfies } from "../../lib/strategies/params";
import { getStrategy } from "../../lib/strategies/registry";
import type { Params } from "../../lib/strategies/types";

export interface FixtureOptions {
  name?: string;
  strategies?: string[];
  objectives?: ObjectiveKey[];
  periods?: PeriodKey[];
  /** Trials per study written to the journal. */
  trials?: number;
  /** Trials per study the manifest plans (default: `trials`). */
  planned?: number;
  tradeSizes?: number[];
  seed?: number;
  /** Days of generated bars (default 400, so the 1y period is full). */
  days?: number;
  /** Bar size in minutes (default 60: small and fast, still thousands of bars). */
  barMinutes?: number;
  /** Trial ids (per study) evaluated with a tight drawdown abort, to get pruned trials. */
  pruneIds?: number[];
  /** Trial ids (per study) recorded as failed. */
  failIds?: number[];
}

export interface Fixture {
  root: string;
  dir: string;
  dataPath: string;
  costsPath: string;
  bars: Bars;
  costs: CostTable;
  manifest: RunManifest;
  lines: TrialLine[];
}

const barsCache = new Map<string, Bars>();

// Every report copies plotly.js (~11 MB) into its run: remove the fixtures after each file
// (STRATLAB_KEEP_FIXTURES=1 keeps them to look at).
const roots: string[] = [];
afterAll(() => {
  if (process.env.STRATLAB_KEEP_FIXTURES === "1") return;
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function barsFor(days: number, seed: number, barMinutes: number): Bars {
  const key = `${days}|${seed}|${barMinutes}`;
  let b = barsCache.get(key);
  if (!b) barsCache.set(key, (b = generateBars({ days, seed, barMinutes })));
  return b;
}

function drawParams(name: string, rng: Rng): Params {
  const s = getStrategy(name);
  for (let i = 0; i < 1000; i++) {
    const p = sampleParams(s, rng);
    if (satisfies(s, p)) return p;
  }
  throw new Error(`no admissible parameters for ${name}`);
}

export function makeRunDir(o: FixtureOptions = {}): Fixture {
  const strategies = o.strategies ?? ["sma_cross", "donchian_breakout"];
  const objectives = o.objectives ?? ["mar", "cps_v2"];
  const periods = o.periods ?? ["1y"];
  const trials = o.trials ?? 12;
  const tradeSizes = o.tradeSizes ?? [10_000];
  const seed = o.seed ?? 7;
  const name = o.name ?? "fixture";

  const root = mkdtempSync(join(tmpdir(), "stratlab-report-"));
  roots.push(root);
  const dir = join(root, "runs", `20250101T000000Z-${name.replace(/[^A-Za-z0-9._-]/g, "_")}`);
  mkdirSync(dir, { recursive: true });
  const bars = barsFor(o.days ?? 400, seed, o.barMinutes ?? 60);
  const dataPath = join(root, "bars.csv");
  writeBarsCsv(bars, dataPath);
  const costsPath = join(root, "costs.json");
  copyFileSync(DEFAULT_COSTS, costsPath);
  const costs = loadCostTable(costsPath);

  const studies: Array<{ key: string; strategy: string; objective: ObjectiveKey; period: PeriodKey }> = [];
  for (const s of strategies) for (const ob of objectives) for (const p of periods) studies.push({ key: `${s}|${ob}|${p}`, strategy: s, objective: ob, period: p });
  const manifest = buildManifest({
    name,
    args: { strategies, objectives, periods, trials: o.planned ?? trials, sampler: "random", seed, batchSize: 8, tradeSizes },
    studies: studies.map((s) => s.key),
    workers: 1,
    cpuFraction: 0.5,
    data: { path: dataPath, rows: bars.length },
    costs: { path: costsPath },
    created: new Date("2025-01-01T00:00:00Z"),
  });
  writeManifest(dir, manifest);

  const ev = new Evaluator(bars, costs);
  const lines: TrialLine[] = [];
  for (const st of studies) {
    const rng = Rng.derive(seed, st.key);
    const strategy = getStrategy(st.strategy);
    for (let id = 0; id < trials; id++) {
      const params = drawParams(st.strategy, rng);
      // Two workers taking trials in turn, 0.9 s each: a timeline with something to show.
      const k = lines.length;
      const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();
      const base = { v: 1 as const, id, study: st.key, params, started: at(Math.floor(k / 2) * 1000), finished: at(Math.floor(k / 2) * 1000 + 900), worker: k % 2 };
      if (o.failIds?.includes(id)) {
        lines.push({ ...base, value: null, state: "failed", results: [], error: "simulated failure, with a comma, and a \"quote\"" });
        continue;
      }
      const abort = o.pruneIds?.includes(id) ? { abortDrawdown: 0.001 } : {};
      const results = ev.evaluate(strategy, params, tradeSizes, abort);
      const first = results[0];
      // As the runner (lib/optimize/study.ts trialValue): ruined and aborted runs are pruned.
      const v = first.periods[st.period][st.objective];
      const state = first.aborted || first.ruined ? "pruned" : Number.isFinite(v) ? "complete" : "failed";
      lines.push({ ...base, value: state === "complete" ? v : null, state, results: results.map(toTrialResult) });
    }
  }
  const journal = new TrialJournal(join(dir, "trials.jsonl"));
  journal.openForAppend();
  // Completion order is not id order in a real run: append in a shuffled but fixed order.
  const order = lines.map((_, i) => i).sort((a, b) => ((a * 7919) % 101) - ((b * 7919) % 101) || a - b);
  journal.append(order.map((i) => lines[i]));
  journal.close();
  return { root, dir, dataPath, costsPath, bars, costs, manifest, lines };
}

/** A minimal RFC 4180 parser for checking what the report wrote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || row.length > 0) throw new Error("CSV does not end with CRLF");
  return rows;
}

/** Rows of a CSV as objects keyed by the header. */
export function csvRecords(text: string): Array<Record<string, string>> {
  const [head, ...rows] = parseCsv(text);
  for (const r of rows) if (r.length !== head.length) throw new Error(`row has ${r.length} fields, header ${head.length}`);
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}
