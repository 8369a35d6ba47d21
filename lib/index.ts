/**
 * The package's public entry: `import { ... } from "stratlab"` in notebooks and scripts.
 * The user verbs (lab/), data and cost loading, the strategy registry, result types, the
 * package's paths and the notebook display helpers. Internals stay reachable by deep
 * import ("stratlab/dist/lib/...") but are not promised.
 */
export { evaluate, evaluatorFor, DEFAULT_TRADE_SIZE, type EvaluateRequest } from "./lab/evaluate";
export type { EvaluateOptions } from "./engine/evaluate";

export * from "./data/index";

export { loadCostTable } from "./costs/load";
export { parseCostTable, swapCost, type CostTable, type CostTableJson } from "./costs/cost-table";

export { getStrategy, strategyNames, overlayNames, registerStrategy } from "./strategies/registry";
export { defaultParams, validateParams, describeSpec } from "./strategies/params";
export type { Strategy, Params, ParamValue, ParamSpec, IntParam, FloatParam, ChoiceParam, Constraint, SignalContext } from "./strategies/types";

export { METRIC_KEYS, OBJECTIVE_KEYS, PROFIT_FACTOR_CAP, type EvalResult, type Metrics, type MetricKey, type ObjectiveKey, type Fill, type RoundTrip } from "./engine/metrics";
export { PERIOD_KEYS, type PeriodKey } from "./engine/periods";

export { PACKAGE_ROOT, DATA_DIR, DEFAULT_DATA, DEFAULT_COSTS, REPORTS_DIR, RUNS_DIR, CHECKPOINTS_DIR, DIST_DIR } from "./paths";
export { StratlabError, DataError, CostError, ParamError, UsageError, RunError, CheckpointError, CancelledError, formatError } from "./errors";

export { showPlot, showTable, progressBar, inNotebook, type Figure, type Trace, type PlotOptions, type FrameLike, type Row, type TableOptions, type ProgressBar } from "./notebook/index";
