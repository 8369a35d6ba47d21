import { backtest, DEFAULT_CHECKPOINT_EVERY_BARS, DEFAULT_EQUITY_EVERY, type BacktestOutcome, type BacktestProgress } from "../../backtest";
import { PERIOD_KEYS } from "../../engine/periods";
import { METRIC_KEYS } from "../../engine/metrics";
import { CancelledError } from "../../errors";
import { CHECKPOINTS_DIR, DEFAULT_COSTS, DEFAULT_DATA } from "../../paths";
import { BOUNDS, checkpointPolicy, jsonObject, num, required, str } from "../args";
import { STRATEGY_INPUT_OPTIONS, strategyInputUsage } from "../strategy-input";
import { ensureCosts } from "./costs";
import type { Command } from "../command";
import { cancelledWithRoot } from "../cancelled";
import { ProgressReporter } from "../progress";
import { renderTable } from "../table";

/** Runs shorter than this print no progress line. */
const QUIET_MS = 1000;

export const backtestCommand: Command = {
  name: "backtest",
  summary: "resumable bar-by-bar backtest with checkpoints (cancel with Ctrl-C, continue with operations resume)",
  usage: [
    "usage: stratlab backtest --strategy NAME [--params JSON] [--trade-size N] [--data FILE] [--costs FILE]",
    "                         [--checkpoint-every N] [--checkpoint-minutes M] [--equity-every N]",
    "                         [--stop-after-bars K] [--resume] [--root DIR] [--json]",
    "",
    ...strategyInputUsage(18, "starting capital in quote currency (default 10000)"),
    `  --checkpoint-every    periodic checkpoint every N bars (default ${DEFAULT_CHECKPOINT_EVERY_BARS}; 0: none by bars)`,
    "  --checkpoint-minutes  also every M minutes of the clock (whichever comes first)",
    `  --equity-every        sample equity every N bars for the result (default ${DEFAULT_EQUITY_EVERY})`,
    "  --stop-after-bars     cancel after K bars (demos, tests): saves a cancellation checkpoint, exit 130",
    "  --resume              continue the newest cancelled or failed backtest of the same run, if any",
    `  --root                checkpoint folder (default ${CHECKPOINTS_DIR})`,
    "",
    "Ctrl-C or SIGTERM saves a cancellation checkpoint and exits 130; continue with the printed",
    "command: stratlab operations resume ID. The result equals an uninterrupted run's.",
    "--stop-after-bars ends the same way (exit 130). With --json a cancelled backtest prints",
    '{"status": "cancelled", "operation_id", "checkpoint_id", "bar", "resume_command", ...}.',
  ].join("\n"),
  options: {
    ...STRATEGY_INPUT_OPTIONS,
    "checkpoint-every": { type: "string" },
    "checkpoint-minutes": { type: "string" },
    "equity-every": { type: "string" },
    "stop-after-bars": { type: "string" },
    resume: { type: "boolean" },
    root: { type: "string" },
  },
  async run(ctx) {
    const strategy = required(ctx.values, "strategy", "e.g. --strategy sma_cross");
    const params = jsonObject(ctx.values, "params") ?? {};
    const tradeSize = num(ctx.values, "trade-size", { min: Number.MIN_VALUE, max: BOUNDS.tradeSize });
    const equityEvery = num(ctx.values, "equity-every", { int: true, min: 1, max: BOUNDS.bars });
    const stopAfterBars = num(ctx.values, "stop-after-bars", { int: true, min: 1, max: BOUNDS.bars });
    const root = str(ctx.values, "root");
    const costs = str(ctx.values, "costs") ?? DEFAULT_COSTS;
    const checkpoint = checkpointPolicy(ctx.values, DEFAULT_CHECKPOINT_EVERY_BARS, BOUNDS.bars);
    await ensureCosts(costs);
    const reporter = new ProgressReporter("backtest");
    const warnings: string[] = [];
    let lastCheckpoint = "";
    const onProgress = (e: BacktestProgress) => {
      if (e.kind === "checkpoint" && e.checkpoint) lastCheckpoint = `checkpoint at bar ${e.unit}`;
      if (e.elapsedMs < QUIET_MS || e.total === undefined || e.kind === "cancelled") return;
      reporter.update({ done: e.unit, total: e.total, rate: e.barsPerSecond, etaMs: e.etaMs, note: [e.operationId, lastCheckpoint].filter(Boolean).join(", ") });
    };
    let outcome: BacktestOutcome;
    try {
      outcome = await backtest(
        {
          strategy,
          params,
          checkpoint,
          ...(tradeSize !== undefined ? { tradeSize } : {}),
          ...(equityEvery !== undefined ? { equityEvery } : {}),
          data: str(ctx.values, "data") ?? DEFAULT_DATA,
          costs,
        },
        {
          onProgress,
          onWarning: (w) => {
            warnings.push(w);
            ctx.err(`warning: ${w}`);
          },
          resume: ctx.values.resume === true,
          ...(root !== undefined ? { root } : {}),
          ...(stopAfterBars !== undefined ? { stopAfterBars } : {}),
        },
      );
    } catch (e) {
      reporter.done();
      // The resume command the bridge prints must name a non-default root.
      if (e instanceof CancelledError) throw cancelledWithRoot(e, root, "bar", { warnings });
      throw e;
    }
    reporter.done();
    const { operation, result, final, resumedFrom, checkpoint: from } = outcome;
    if (!ctx.json) {
      const flags = [result.ruined ? "RUINED" : "", result.over_max_bucket ? `${result.over_max_bucket} swaps above the largest cost bucket` : ""].filter(Boolean);
      if (resumedFrom) ctx.out(`resumed ${resumedFrom.id} from bar ${from?.unit ?? 0} as ${operation.id}`);
      ctx.out(`${result.strategy} ${JSON.stringify(result.params)} @ trade size ${result.trade_size}: ${result.bars_evaluated} bars, ${result.fills.length} fills, ${result.round_trips.length} round trips${flags.length ? "  [" + flags.join(", ") + "]" : ""}`);
      ctx.out(renderTable(["metric", ...PERIOD_KEYS], METRIC_KEYS.map((k) => [k, ...PERIOD_KEYS.map((p) => result.periods[p][k])])));
      ctx.out(`operation ${operation.id} completed${final ? `; result kept as checkpoint ${final.id}` : ""}`);
    }
    return {
      operation,
      ...(final ? { final } : {}),
      ...(resumedFrom ? { resumedFrom: resumedFrom.id, checkpoint: from, deletedCheckpoints: outcome.deletedCheckpoints } : {}),
      result,
      warnings,
    };
  },
};
