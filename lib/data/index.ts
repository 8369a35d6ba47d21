/** The data module: bars in memory, CSV in and out, the seeded generator, resampling, a DataFrame view. */
export * from "./bars";
export { loadBars, parseBarsCsv, encodeBarsCsv, writeBarsCsv, type LoadOptions } from "./csv";
export { generateBars, ensureDefaultData, MODEL, Sfc32, type GenerateOptions, type Regime } from "./generate";
export { resample } from "./resample";
export { toDataFrame } from "./frame";
