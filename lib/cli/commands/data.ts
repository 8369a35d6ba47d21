import { describeBars, formatDuration, type BarsSummary } from "../../data/bars";
import { loadBars, writeBarsCsv } from "../../data/csv";
import { generateBars } from "../../data/generate";
import { UsageError } from "../../errors";
import { DEFAULT_DATA } from "../../paths";
import { BOUNDS, num, str, subcommand } from "../args";
import type { Command, CommandContext } from "../command";
import { formatNumber } from "../table";

export const dataCommand: Command = {
  name: "data",
  summary: "generate a seeded bar data set, or describe a bars CSV",
  usage: [
    "usage: stratlab data generate [--days N] [--seed N] [--bar-minutes M] [--start ISO] [--start-price P]",
    "                              [--out FILE] [--json]",
    "       stratlab data info [FILE] [--json]",
    "",
    "  generate       write synthetic OHLCV bars (regimes, volatility clustering, fat tails; docs/data.md)",
    "    --days         calendar days to cover (default 730)",
    "    --seed         integer seed; the same seed writes the same file (default 1)",
    "    --bar-minutes  bar size in minutes (default 5)",
    "    --start        first bar's open time, ISO 8601 (default 2023-01-01T00:00:00Z)",
    "    --start-price  first open (default 30000)",
    `    --out          where to write the CSV (default ${DEFAULT_DATA}); replaced atomically`,
    "  info           rows, time span, bar spacing, gaps and price range of a bars CSV",
    `    FILE           the CSV (default ${DEFAULT_DATA})`,
  ].join("\n"),
  options: {
    days: { type: "string" },
    seed: { type: "string" },
    "bar-minutes": { type: "string" },
    start: { type: "string" },
    "start-price": { type: "string" },
    out: { type: "string" },
  },
  run(ctx) {
    const sub = subcommand(ctx, "data", ["generate", "info"]);
    const rest = ctx.positionals.slice(1);
    if (sub === "generate") {
      if (rest.length > 0) throw new UsageError(`data generate takes no file argument (got "${rest[0]}"); use --out FILE`);
      return generate(ctx);
    }
    if (rest.length > 1) throw new UsageError(`data info takes one file (got ${rest.length}); see: stratlab help data`);
    return info(ctx, rest[0] ?? DEFAULT_DATA);
  },
};

function generate(ctx: CommandContext): unknown {
  const days = num(ctx.values, "days", { max: BOUNDS.days }) ?? 730;
  const seed = num(ctx.values, "seed", { int: true, min: -BOUNDS.seed, max: BOUNDS.seed }) ?? 1;
  const barMinutes = num(ctx.values, "bar-minutes", { int: true, min: 1, max: 10_080 }) ?? 5;
  const startPrice = num(ctx.values, "start-price", { min: Number.MIN_VALUE, max: BOUNDS.price });
  const start = str(ctx.values, "start");
  const out = str(ctx.values, "out") ?? DEFAULT_DATA;
  if ((days * 1440) / barMinutes > BOUNDS.generatedBars) {
    throw new UsageError(`--days ${days} at --bar-minutes ${barMinutes} makes ${Math.round((days * 1440) / barMinutes)} bars; at most ${BOUNDS.generatedBars} are generated (use fewer days or longer bars)`);
  }
  const began = performance.now();
  const bars = generateBars({ days, seed, barMinutes, start, startPrice });
  writeBarsCsv(bars, out);
  const seconds = (performance.now() - began) / 1000;
  const summary = describeBars(bars);
  ctx.out(`wrote ${out}: ${summary.rows.toLocaleString("en-US")} ${summary.spacing} bars, ${summary.first} to ${summary.last} (seed ${seed}, ${seconds.toFixed(2)} s)`);
  return { ...summary, out, seed, days, barMinutes, seconds };
}

function info(ctx: CommandContext, file: string): BarsSummary {
  // Gaps are part of the summary below, so the loader's gap warning would only repeat them.
  const summary = describeBars(loadBars(file));
  if (!ctx.json) for (const line of formatSummary(summary)) ctx.out(line);
  return summary;
}

function formatSummary(s: BarsSummary): string[] {
  const g = s.gaps;
  const gaps =
    g.count === 0
      ? "none"
      : `${g.count} (${g.missingBars.toLocaleString("en-US")} bars missing); largest ${g.largest} ${g.largestBetween?.join(" -> ")}; first ${g.firstBetween?.join(" -> ")}`;
  const rows: [string, string][] = [
    ["file", s.source],
    ["rows", s.rows.toLocaleString("en-US")],
    ["first", s.first ?? "-"],
    ["last", s.last ?? "-"],
    ["span", s.span],
    ["spacing", formatDuration(s.barMs)],
    ["gaps", gaps],
    ["price", `low ${s.price.low}, high ${s.price.high}; first open ${s.price.firstOpen}, last close ${s.price.lastClose}`],
    ["volume", `total ${formatNumber(s.volume.total)}; ${s.volume.zeroBars.toLocaleString("en-US")} bars with zero volume`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}
