/** Display helpers for notebooks (tslab): inline plots, tables, progress; and running notebooks. */
export { inNotebook } from "./display";
export { showPlot, plotHtml, type Figure, type Trace, type PlotOptions } from "./plot";
export { showTable, tableHtml, type FrameLike, type Row, type TableOptions } from "./table";
export { progressBar, type ProgressBar } from "./progress";
export { jupyterEnv, nbconvertCommand, checkJupyter, KERNEL_NAME } from "./jupyter";
