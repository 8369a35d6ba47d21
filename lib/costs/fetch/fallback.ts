/**
 * A missing cost table: fetch it when a source is configured, otherwise say in one line how
 * to. The source is the options of `stratlab costs fetch` as a JSON object (keys are the
 * option names), from STRATLAB_COST_SOURCE (the object itself, or a path to a JSON file
 * holding it) or from the "costs" key of stratlab.config.json at the project root.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CostError } from "../../errors";
import { PACKAGE_ROOT } from "../../paths";
import { COST_CONFIG_FILE as CONFIG_FILE, COST_SOURCE_ENV as SOURCE_ENV, howToFetch } from "../load";
import { fetchCosts, type FetchHooks, type FetchOutcome } from "./fetcher";
import { FETCH_OPTION_NAMES, parseFetchSpec, type OptionRecord } from "./spec";

export interface CostSource {
  options: OptionRecord;
  /** Where it was configured, for messages. */
  from: string;
}

function asOptions(raw: unknown, from: string): OptionRecord {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new CostError(`${from}: the cost source must be a JSON object of costs fetch options, e.g. {"source":"amm","reserve-quote":30000000,"fee":0.003,"gas":1.5,"step":1000,"end":1000000}`);
  const unknown = Object.keys(raw).find((k) => !(FETCH_OPTION_NAMES as readonly string[]).includes(k));
  if (unknown !== undefined) throw new CostError(`${from}: unknown cost source option "${unknown}"; options: ${FETCH_OPTION_NAMES.join(", ")}`);
  return raw as OptionRecord;
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CostError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** The configured source, or undefined. STRATLAB_COST_SOURCE wins over the config file. */
export function configuredSource(env: NodeJS.ProcessEnv = process.env, root = PACKAGE_ROOT): CostSource | undefined {
  const fromEnv = env[SOURCE_ENV]?.trim();
  if (fromEnv) {
    if (fromEnv.startsWith("{")) {
      let raw: unknown;
      try {
        raw = JSON.parse(fromEnv);
      } catch (e) {
        throw new CostError(`${SOURCE_ENV} is not valid JSON (${(e as Error).message})`);
      }
      return { options: asOptions(raw, SOURCE_ENV), from: SOURCE_ENV };
    }
    return { options: asOptions(readJson(fromEnv, "the cost source"), fromEnv), from: `${SOURCE_ENV}=${fromEnv}` };
  }
  const file = join(root, CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  const config = readJson(file, "the project config") as Record<string, unknown> | null;
  if (config === null || typeof config !== "object" || config.costs === undefined) return undefined;
  return { options: asOptions(config.costs, `${file} "costs"`), from: file };
}

/**
 * Makes sure `path` holds a cost table: nothing when it exists; a fetch into it when a
 * source is configured; otherwise a CostError saying how to fetch one.
 */
export async function ensureCostTable(path: string, hooks: FetchHooks & { env?: NodeJS.ProcessEnv; root?: string } = {}): Promise<FetchOutcome | undefined> {
  if (existsSync(path)) return undefined;
  const source = configuredSource(hooks.env ?? process.env, hooks.root ?? PACKAGE_ROOT);
  if (source === undefined) throw new CostError(howToFetch(path));
  hooks.onLog?.(`${path} does not exist: fetching it from the source in ${source.from}`);
  return fetchCosts(parseFetchSpec(source.options), path, hooks);
}
