/**
 * The package's public entry: `import { ... } from "stratlab"` in notebooks and scripts.
 * The user verbs (lab/: evaluate, optimize, report, the main study; the backtest), data and
 * cost loading, the strategy registry, result types, the package's paths and the notebook
 * display helpers. Internals stay reachable by deep
 * import ("stratlab/dist/lib/...") but are not promised.
 */
export { evaluate, evaluatorFor, DEFAULT_TRADE_SIZE, type EvaluateRequest } from "./lab/evaluate";
export type { EvaluateOptions } from "./engine/evaluate";

export * from "./data/index";

export { loadCostTable } from "./costs/load";
export { parseCostTable, swapCost, type CostTable, type CostTableJson } from "./costs/cost-table";
// Building a cost table from a quote source, and what a table says (docs/costs.md).
export { fetchCosts, ensureCostTable, parseFetchSpec, ammImpact, type FetchSpec, type FetchHooks, type FetchOutcome, type FetchProgress } from "./costs/fetch/index";
export { describeCostTable, costOrigin, type CostDescription } from "./costs/describe";
export { costsFigure, plotCosts } from "./notebook/costs";

export { getStrategy, strategyNames, overlayNames, registerStrategy } from "./strategies/registry";
export { defaultParams, validateParams, describeSpec } from "./strategies/params";
export type { Strategy, Params, ParamValue, ParamSpec, IntParam, FloatParam, ChoiceParam, Constraint, SignalContext } from "./strategies/types";
// Your own strategies and the indicator helpers for their signals (docs/api.md).
export { defineStrategy, type StrategyDefinition } from "./strategies/define";
export { sma, ema, rsi, atr, donchian, rollingMax, rollingMin, rollingMean, rollingStd, HELPER_NAMES } from "./strategies/helpers";
export { Scratch } from "./strategies/scratch";
export { loadCodeFile, type LoadedCodeFile } from "./optimize/code-file";
export { defineObjective, getObjective, objectiveNames, type Objective, type ObjectiveDefinition, type TrialMetrics, type Direction } from "./optimize/objectives";

export { METRIC_KEYS, OBJECTIVE_KEYS, PROFIT_FACTOR_CAP, type EvalResult, type Metrics, type MetricKey, type ObjectiveKey, type Fill, type RoundTrip } from "./engine/metrics";
export { PERIOD_KEYS, type PeriodKey } from "./engine/periods";

export { PACKAGE_ROOT, DATA_DIR, DEFAULT_DATA, DEFAULT_COSTS, REPORTS_DIR, RUNS_DIR, CHECKPOINTS_DIR, DIST_DIR } from "./paths";
export { StratlabError, DataError, CostError, ParamError, UsageError, RunError, CheckpointError, CancelledError, FetchError, FileError, ModelError, formatError, quote } from "./errors";

// Optimisation: `optimize` and `runMainStudy` are lab's verbs with a live view in notebooks
// and safe to interrupt there (lib/notebook/optimize.ts, docs/notebooks.md).
export { optimize, runMainStudy } from "./notebook/optimize";
export { OptimizeResult, type OptimizeOptions, type TrialRecordRow } from "./lab/optimize";
export { MAIN_STUDY, type MainStudyOutcome } from "./lab/main-study";
export { report, type ReportOptions, type ReportResult } from "./lab/report";
export type { RunOptions } from "./optimize/config";
export type { Progress, RunOutcome, RunStatus } from "./optimize/runner";
// Ask/tell studies (docs/api.md).
export { openStudy, Study, type StudyOptions, type AskedTrial, type TellValue } from "./optimize/open-study";
export type { ParetoPoint } from "./optimize/study-state";
export type { BestTrial, StudySpec } from "./optimize/study";
export type { TrialLine, TrialResult, TrialState, TrialParamValue } from "./optimize/storage/types";
export { loadRun, paramImportance, topLists, summarize, type RunData, type StudyInfo, type ParamImportance, type TopEntry, type TopLists, type StudySummary, type Curve } from "./report/index";
// The run index (reports/index.html; also written after every run) and the dashboard's drill-down data.
export { writeRunIndex, buildRunIndex, runIndexPath, candles, roundTrips, type RunIndexModel, type Candles, type Trips } from "./report/index";

// The resumable backtest and its checkpoints (docs/backtest.md, docs/checkpoints.md).
// backtest and resumeBacktest start one turn later, so a notebook interrupt cancels them (lib/notebook/cell-start.ts).
export { backtest, resumeBacktest } from "./notebook/cell-start";
export { findResumableBacktest, prepareBacktest, type BacktestRequest, type BacktestOptions, type BacktestOutcome, type BacktestResult, type BacktestProgress, type BacktestRunOptions } from "./backtest/index";
export { OperationRegistry, CancellationToken } from "./checkpoint/index";

// Training the direction model and trading it (docs/training.md): train and resumeTraining
// start one turn later, so a notebook interrupt cancels them; loadModel reads a model folder.
export { train, resumeTraining } from "./notebook/cell-start";
export { loadModel, findResumableTraining, prepareTraining, DEFAULT_MODEL_DIR, type LoadedModel, type ModelManifest, type TrainRequest, type TrainOptions, type TrainOutcome, type TrainDocument, type EpochEvent, type EpochStats } from "./train/index";
export { trainingProgress, type TrainingView } from "./notebook/train-progress";

export {
  showPlot, showTable, progressBar, inNotebook, type Figure, type Trace, type PlotOptions, type FrameLike, type Row, type TableOptions, type ProgressBar,
  plotHistory, plotParams, plotImportance, plotEquity, showTop,
  historyFigure, paramsFigure, importanceFigure, importanceRows, equityCurves, equityFigure, topRows, formatParams,
  type RunSource, type ParamsChartOptions, type EquityChartOptions, type TopOptions, type StudyImportance,
} from "./notebook/index";

// The operations service's client (docs/service.md): start, watch (inline progress), cancel, resume, checkpoints.
export { connect, ServiceClient, ServiceError, type WatchOptions } from "./serve/client";
