/** Reports of a run directory: tables (CSV/JSON) and the HTML dashboard. docs/reports.md. */
export { generateReport, writeIntermediateReport, REPORT_DIR, INDEX_FILE, type ReportOptions, type ReportResult } from "./report";
export { loadRun, metricsOf, type RunData, type StudyInfo } from "./run";
export { objectiveTable, periodTable, summarize, summaryTable, topLists, topTable, RANKING, METRIC_COLUMNS, DEFAULT_TOP_N, type StudySummary, type TopEntry, type TopLists } from "./tables";
export { formatCsv, csvField, type Cell, type Table } from "./csv";
export { paramImportance, type ParamImportance } from "./importance";
export { downsample, minMaxIndices, DEFAULT_MAX_POINTS } from "./downsample";
export { shortlistCurves, loadRunInputs, type Curve } from "./curves";
export { buildRunIndex, writeRunIndex, runIndexPath, type RunIndexModel, type RunIndexResult, type IndexRun } from "./run-index";
export { candles, roundTrips, type Candles, type Trips } from "./drilldown";
