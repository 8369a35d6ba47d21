/**
 * One study in a process of its own, for the optimizer bench's memory figures: prints
 * {"max_rss_mb": ..., "trials": ..., "wall_s": ...} after runOptimization returns.
 * Usage: node dist/bench/study-rss.js DATA COSTS OUT_DIR WORKERS TRIALS
 * (worker threads share the process, so its peak RSS is the whole study's).
 */
import { runOptimization } from "../lib/optimize/runner";

async function main(): Promise<void> {
  const [data, costs, out, workers, trials] = process.argv.slice(2);
  const t0 = performance.now();
  const r = await runOptimization({ strategies: ["sma_cross"], objectives: ["mar"], periods: ["1y"], trials: Number(trials), sampler: "tpe", seed: 3, out, data, costs, maxWorkers: Number(workers) });
  const wall = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ max_rss_mb: process.resourceUsage().maxRSS / 1024, trials: r.trials.length, wall_s: wall }) + "\n");
}

main().catch((e: Error) => {
  process.stderr.write(`study-rss: ${e.message}\n`);
  process.exitCode = 1;
});
