import { describeCostTable } from "../../costs/describe";
import { loadCostTable } from "../../costs/load";
import { ensureCostTable, fetchCosts, parseFetchSpec, partialPath, type FetchHooks, type FetchProgress } from "../../costs/fetch";
import { FETCH_DEFAULTS, FETCH_OPTION_NAMES } from "../../costs/fetch/spec";
import { DEFAULT_COSTS } from "../../paths";
import { checkSubcommandOptions, numList, str, subcommand } from "../args";
import type { Command, CommandContext } from "../command";
import { formatDuration, ProgressReporter } from "../progress";
import { renderTable } from "../table";

export const costsCommand: Command = {
  name: "costs",
  summary: "fetch the swap-cost table from a quote source, or show what a table says",
  usage: [
    "usage: stratlab costs fetch --source http --url TEMPLATE --impact-path PATH (--gas N | --gas-path PATH)",
    "                            --step N --end N [--pair BASE/QUOTE] [--impact-unit fraction|percent|bps]",
    "                            [--header 'Name: $ENV_VAR']... [--parallel 8] [--pause 60s] [--timeout 10s]",
    "                            [--retries 5] [--allow-non-monotone] [--out FILE] [--json]",
    "       stratlab costs fetch --source amm (--reserve-quote R --fee F | --url TEMPLATE --reserve-quote-path PATH",
    "                            --fee-path PATH) --gas N --step N --end N [--pair BASE/QUOTE] [--out FILE] [--json]",
    "       stratlab costs show [FILE] [--sizes 1000,10000,100000] [--json]",
    "",
    "  fetch        ask a quote source for the impact of every size step, 2*step, ... up to end and write",
    `               the cost table atomically (default ${DEFAULT_COSTS}); docs/costs.md`,
    "    --url        http: a template holding {size} (and {base}, {quote} from --pair);",
    "                 amm: the pool endpoint, read once",
    "    --impact-path  dotted path of the impact in the JSON answer, e.g. data.priceImpact",
    "    --gas-path   dotted path of the gas (quote currency) in the answer; the table takes the largest",
    "    --header     'Name: value'; secrets only as $ENV_VAR, never stored or printed",
    `    --parallel   requests per batch, never more in flight (default ${FETCH_DEFAULTS.parallel})`,
    `    --pause      wait between batches (default ${FETCH_DEFAULTS.pause}); --timeout per request (default ${FETCH_DEFAULTS.timeout})`,
    `    --retries    tries again on 429, 5xx and timeouts with back-off, honouring Retry-After (default ${FETCH_DEFAULTS.retries})`,
    "    --allow-non-monotone  accept an impact that decreases with size",
    "    --reserve-quote, --fee  amm: the pool's quote-side reserve and fee (0.003 = 0.3 %)",
    "  An interrupted or failed fetch keeps its answers in FILE.partial: the same command resumes.",
    "  show         the buckets, where the table came from, and the cost of 1k, 10k and 100k swaps",
  ].join("\n"),
  options: {
    source: { type: "string" },
    url: { type: "string" },
    pair: { type: "string" },
    "impact-path": { type: "string" },
    "impact-unit": { type: "string" },
    "gas-path": { type: "string" },
    gas: { type: "string" },
    step: { type: "string" },
    end: { type: "string" },
    parallel: { type: "string" },
    pause: { type: "string" },
    timeout: { type: "string" },
    retries: { type: "string" },
    header: { type: "string", multiple: true },
    "allow-non-monotone": { type: "boolean" },
    "reserve-quote": { type: "string" },
    "reserve-quote-path": { type: "string" },
    fee: { type: "string" },
    "fee-path": { type: "string" },
    out: { type: "string" },
    sizes: { type: "string" },
  },
  async run(ctx) {
    const sub = subcommand(ctx, "costs", ["fetch", "show"]);
    if (sub === "show") {
      checkSubcommandOptions(ctx, "costs", "show", ["sizes"]);
      return show(ctx, ctx.positionals[1] ?? DEFAULT_COSTS);
    }
    checkSubcommandOptions(ctx, "costs", "fetch", [...FETCH_OPTION_NAMES, "out"]);
    return fetch(ctx);
  },
};

/**
 * Progress of a fetch on stderr: the bar, the batch, and during a pause a countdown (redrawn
 * every second from the last report, so the ETA keeps counting the pause down).
 */
export function fetchProgress(): { hooks: FetchHooks; done: () => void } {
  const reporter = new ProgressReporter("costs fetch");
  let last: { p: FetchProgress; at: number } | undefined;
  const draw = (p: FetchProgress, sinceMs: number) => {
    const pauseLeft = p.pauseLeftMs !== undefined ? Math.max(0, p.pauseLeftMs - sinceMs) : undefined;
    const where = pauseLeft !== undefined ? `pause ${formatDuration(pauseLeft)} before batch ${p.batch + 1}/${p.batches}` : `batch ${Math.min(p.batch + 1, p.batches)}/${p.batches}`;
    reporter.update({ done: p.done, total: p.total, rate: p.rate, etaMs: Math.max(0, p.etaMs - sinceMs), note: `${where}, ${p.requests} requests, ${p.retries} retries` });
  };
  const ticker = setInterval(() => {
    if (last?.p.pauseLeftMs !== undefined) draw(last.p, Date.now() - last.at);
  }, 1000);
  ticker.unref();
  const onProgress = (p: FetchProgress) => {
    last = { p, at: Date.now() };
    draw(p, 0);
  };
  const done = () => {
    clearInterval(ticker);
    reporter.done();
  };
  return { hooks: { onProgress, onLog: (line) => (reporter.done(), process.stderr.write(line + "\n")) }, done };
}

async function fetch(ctx: CommandContext): Promise<unknown> {
  const out = str(ctx.values, "out") ?? DEFAULT_COSTS;
  const spec = parseFetchSpec(ctx.values);
  const progress = fetchProgress();
  // Ctrl-C: every answer so far is already in the side file; say so and how to go on.
  const onInterrupt = () => {
    progress.done();
    process.stderr.write(`CancelledError: costs fetch interrupted; the answers so far are kept in ${partialPath(out)} and the old cost table is unchanged; run the same command again to resume\n`);
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);
  let outcome;
  try {
    outcome = await fetchCosts(spec, out, progress.hooks);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    progress.done();
  }
  const { table } = outcome;
  ctx.out(
    `wrote ${out}: ${table.buckets.length} buckets ${table.buckets[0]!.size}..${table.buckets[table.buckets.length - 1]!.size}, gas ${table.gas}; ` +
      `${outcome.fetched} sizes fetched${outcome.reused ? `, ${outcome.reused} from the earlier attempt` : ""}, ${outcome.requests} requests, ${outcome.retries} retries` +
      (outcome.breaks.length ? `; impact decreases at ${outcome.breaks.length} sizes (accepted: --allow-non-monotone)` : ""),
  );
  const nonMonotone = outcome.breaks.map((b) => ({ smaller: b.smaller, larger: b.larger, smaller_impact: b.smallerImpact, larger_impact: b.largerImpact }));
  return { out, fetched: outcome.fetched, reused: outcome.reused, requests: outcome.requests, retries: outcome.retries, non_monotone: nonMonotone, table };
}

function show(ctx: CommandContext, file: string): unknown {
  const d = describeCostTable(loadCostTable(file), numList(ctx.values, "sizes"));
  if (!ctx.json) {
    ctx.out(`${file}: ${d.origin.summary}`);
    ctx.out(`cost of a swap of N (quote currency) = N * impact(smallest bucket >= N) + gas ${d.gas}`);
    ctx.out(renderTable(["bucket size", "impact %"], d.buckets.map((b) => [b.size, b.impact * 100])));
    ctx.out("");
    ctx.out(
      renderTable(
        ["swap of", "bucket", "impact %", "cost", "cost %"],
        d.examples.map((e) => [e.size, e.aboveLargestBucket ? `${e.bucket} (largest; above it)` : e.bucket, e.impact * 100, e.cost, e.costFraction * 100]),
      ),
    );
  }
  const examples = d.examples.map((e) => ({ size: e.size, bucket: e.bucket, impact: e.impact, cost: e.cost, cost_fraction: e.costFraction, above_largest_bucket: e.aboveLargestBucket }));
  return { file, origin: d.origin, gas: d.gas, buckets: d.buckets, examples };
}

/**
 * For evaluate, optimize and backtest: a missing cost table is fetched when a source is
 * configured, otherwise the one line says how to fetch it.
 */
export async function ensureCosts(path: string): Promise<void> {
  const progress = fetchProgress();
  try {
    await ensureCostTable(path, progress.hooks);
  } finally {
    progress.done();
  }
}
