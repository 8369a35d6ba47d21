/** Display helpers for notebooks (tslab): inline plots, tables, progress, run results; and running notebooks. */
export { inNotebook } from "./display";
export { showPlot, plotHtml, type Figure, type Trace, type PlotOptions } from "./plot";
export { showTable, tableHtml, formatParams, type FrameLike, type Row, type TableOptions } from "./table";
export { progressBar, type ProgressBar } from "./progress";
export { jupyterEnv, nbconvertCommand, checkJupyter, KERNEL_NAME } from "./jupyter";
export { optimize, runMainStudy } from "./optimize";
export { runProgress, type RunProgress } from "./optimize-progress";
export { runData, findStudy, type RunSource } from "./run-source";
export { historyFigure, plotHistory } from "./history";
export { paramsFigure, plotParams, type ParamsChartOptions } from "./params";
export { importanceFigure, importanceRows, plotImportance, type StudyImportance } from "./importance";
export { equityCurves, equityFigure, plotEquity, type EquityChartOptions } from "./equity";
export { showTop, topRows, TOP_METRICS, type TopOptions } from "./top";
export { costsFigure, plotCosts, type CostTableSource } from "./costs";
export { installRichDisplay } from "./rich-display";
export { plotlyLibrary, PLOTLY_MIME, type PlotlyLibrary } from "./plot";

// In a tslab kernel, danfo frames and trial tables display as HTML tables (rich-display.ts).
import { installRichDisplay } from "./rich-display";
installRichDisplay();
