/** Building a cost table from a quote source: `stratlab costs fetch` and the missing-table fallback (docs/costs.md). */
export { fetchCosts, REAL_CLOCK, MAX_RETRY_AFTER_MS, type FetchClock, type FetchHooks, type FetchOutcome, type FetchProgress } from "./fetcher";
export { ensureCostTable, configuredSource, type CostSource } from "./fallback";
export { parseFetchSpec, fetchIdentity, FETCH_DEFAULTS, FETCH_OPTION_NAMES, type FetchSpec, type OptionRecord } from "./spec";
export { ammImpact } from "./amm";
export { planSizes, etaMs } from "./plan";
export { partialPath } from "./partial";
