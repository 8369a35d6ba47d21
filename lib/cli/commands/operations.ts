import { OPERATION_STATUSES, OPERATION_TYPES, OperationRegistry, effectiveStatus, formatDuration, parseDuration, type OperationRecord, type OperationStatus, type OperationType, type ProgressEvent } from "../../checkpoint";
import { UsageError } from "../../errors";
import { CHECKPOINTS_DIR } from "../../paths";
import { str } from "../args";
import type { Command, CommandContext } from "../command";
import { renderTable } from "../table";
import { checkSubcommandOptions, oneOf, subcommand } from "../args";
import { listRunSummaries } from "../../serve/runs";
import { remoteOperations, serverOf, SERVER_OPTION, SERVER_USAGE } from "../remote";
import { RUNS_DIR } from "../../paths";
// Registers the "backtesting" resumer (its side effect), so `operations resume` can continue backtests.
import "../../backtest/resume";
// Registers the "training" resumer (tfjs loads only when a training is resumed).
import "../../train/run";
import type { TrainDocument } from "../../train/run";
import { printTraining } from "./train";

// `operations resume` dispatches on the operation's type to the resumer registered with
// registerResumer (lib/checkpoint/operations.ts). Engines register theirs when imported:
// import each engine's resume module here for its side effect, e.g. import "../../backtest/resume";

const USAGE = [
  "usage: stratlab operations list [--type T] [--status S] [--runs DIR]",
  "       stratlab operations show ID",
  "       stratlab operations cancel ID [--signal] [--wait 30s]",
  "       stratlab operations resume ID",
  "       (every form takes [--root DIR] [--server URL] [--json])",
  "",
  `  --type    ${OPERATION_TYPES.join(", ")}`,
  `  --status  ${OPERATION_STATUSES.join(", ")}`,
  "  cancel    writes a cancel request the running process picks up within a second; it saves a",
  "            cancellation checkpoint and ends as cancelled",
  "  --signal  also send SIGTERM to the operation's process (same host)",
  "  --wait    wait up to this long for the operation to end",
  "  resume    continue a cancelled or failed operation from its latest checkpoint as a new operation",
  `  --root    checkpoint folder (default ${CHECKPOINTS_DIR})`,
  SERVER_USAGE,
  `  --runs    optimisation runs, listed as optimisation operations named by their folder (default ${RUNS_DIR})`,
].join("\n");

const ALLOWED: Record<string, string[]> = {
  list: ["type", "status", "root", "runs", "server"],
  show: ["root", "server"],
  cancel: ["signal", "wait", "root", "server"],
  resume: ["root", "server"],
};

export const operationsCommand: Command = {
  name: "operations",
  summary: "list, show, cancel and resume long-running operations (backtests, training)",
  usage: USAGE,
  options: {
    type: { type: "string" },
    status: { type: "string" },
    signal: { type: "boolean" },
    wait: { type: "string" },
    root: { type: "string" },
    runs: { type: "string" },
    ...SERVER_OPTION,
  },
  async run(ctx) {
    const sub = subcommand(ctx, "operations", Object.keys(ALLOWED));
    checkSubcommandOptions(ctx, "operations", sub, ALLOWED[sub]!);
    const server = serverOf(ctx);
    if (server !== undefined) return remoteOperations(ctx, server, sub);
    const registry = new OperationRegistry({ root: str(ctx.values, "root") ?? CHECKPOINTS_DIR });
    if (sub === "list") {
      if (ctx.positionals.length > 1) throw new UsageError(`operations list takes no argument, got ${JSON.stringify(ctx.positionals[1])}`);
      const type = oneOf<OperationType>(ctx.values, "type", OPERATION_TYPES);
      const status = oneOf<OperationStatus>(ctx.values, "status", OPERATION_STATUSES);
      const operations = registry.list({ ...(type ? { type } : {}), ...(status ? { status } : {}) });
      // Optimisation runs are operations too; their journals are the source of truth.
      const runs = type === undefined || type === "optimisation" ? listRunSummaries(str(ctx.values, "runs") ?? RUNS_DIR).filter((r) => status === undefined || runStatus(r) === status) : [];
      if (!ctx.json) {
        if (operations.length === 0 && runs.length === 0) ctx.out(`no operations in ${registry.root}`);
        else ctx.out(renderTable(["operation", "type", "status", "pid", "age", "resumed from", "resumed by"], [...operations.map(row), ...runs.map(runRow)]));
      }
      return { root: registry.root, operations, runs };
    }
    const id = ctx.positionals[1];
    if (id === undefined || ctx.positionals.length > 2) throw new UsageError(`operations ${sub} takes one operation id; see: stratlab operations list`);
    if (sub === "show") return show(ctx, registry, id);
    if (sub === "cancel") return cancel(ctx, registry, id);
    return resume(ctx, registry, id);
  },
};

function row(o: OperationRecord): (string | number)[] {
  return [o.id, o.type, effectiveStatus(o), o.pid, formatDuration(Date.now() - Date.parse(o.createdAt)), o.resumedFrom ?? "", o.resumedBy ?? ""];
}

type RunSummary = ReturnType<typeof listRunSummaries>[number];

/** A run not running and not complete was stopped: it resumes (stratlab optimize --resume-from DIR). */
function runStatus(r: RunSummary): OperationStatus {
  return r.running ? "running" : r.trials_planned !== null && r.trials_done >= r.trials_planned ? "completed" : "cancelled";
}

function runRow(r: RunSummary): (string | number)[] {
  return [r.name, "optimisation", `${runStatus(r)} (${r.trials_done}/${r.trials_planned ?? "?"} trials)`, "", formatDuration(Date.now() - Date.parse(r.created_at)), "", ""];
}

function show(ctx: CommandContext, registry: OperationRegistry, id: string) {
  const operation = registry.get(id);
  const checkpoints = registry.checkpoints.list({ operationId: id });
  if (!ctx.json) {
    ctx.out(`${operation.id}  ${operation.type}  ${operation.status}  pid ${operation.pid} on ${operation.host}`);
    ctx.out(`created ${operation.createdAt}, updated ${operation.updatedAt}`);
    if (operation.resumedFrom) ctx.out(`resumed from ${operation.resumedFrom}`);
    if (operation.resumedBy) ctx.out(`resumed by ${operation.resumedBy}`);
    if (operation.error) ctx.out(`outcome: ${operation.error}`);
    ctx.out(`request: ${JSON.stringify(operation.request)}`);
    ctx.out(checkpoints.length ? renderTable(["checkpoint", "kind", "unit", "created"], checkpoints.map((c) => [c.id, c.type, c.unit, c.createdAt])) : "no checkpoints");
  }
  return { operation, checkpoints };
}

async function cancel(ctx: CommandContext, registry: OperationRegistry, id: string) {
  const wait = str(ctx.values, "wait");
  const waitMs = wait !== undefined ? parseDuration(wait, "--wait") : undefined;
  const req = registry.cancel(id, { signal: ctx.values.signal === true });
  if (!ctx.json) ctx.out(`cancel requested for ${id} (pid ${req.operation.pid})${req.signalled ? ", SIGTERM sent" : ""}`);
  let operation = req.operation;
  if (waitMs !== undefined) {
    operation = await registry.waitForEnd(id, waitMs);
    if (!ctx.json) ctx.out(effectiveStatus(operation) === "running" ? `${id} is still running after ${wait}` : `${id} is ${operation.status}${operation.error ? `: ${operation.error}` : ""}`);
  }
  return { operation, requestFile: req.requestFile, signalled: req.signalled };
}

async function resume(ctx: CommandContext, registry: OperationRegistry, id: string) {
  const onProgress = (e: ProgressEvent) => {
    const of = e.total !== undefined ? `/${e.total} (${Math.round((e.fraction ?? 0) * 100)}%)` : "";
    ctx.err(`${e.operationId}: unit ${e.unit}${of}${e.checkpoint ? `, ${e.kind === "checkpoint" ? "" : `${e.kind} `}checkpoint ${e.checkpoint.id}` : ""}`);
  };
  const r = await registry.resume(id, undefined, { onProgress });
  // A training prints what `stratlab train` prints (its document names the new operation).
  if (r.operation.type === "training") {
    printTraining(ctx, r.result as TrainDocument);
    return r.result;
  }
  if (!ctx.json) ctx.out(`resumed ${id} as ${r.operation.id} from checkpoint ${r.checkpoint.id}: ${r.operation.status}; deleted ${r.deletedCheckpoints.length} checkpoint(s) of ${id}`);
  return { resumedFrom: id, operation: r.operation, checkpoint: r.checkpoint, deletedCheckpoints: r.deletedCheckpoints, result: r.result };
}
