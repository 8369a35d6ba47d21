import { CHECKPOINT_TYPES, CheckpointService, formatDuration, isRunning, OPERATION_STATUSES, OPERATION_TYPES, parseDuration, type CheckpointListing, type CheckpointMeta, type CheckpointType, type OperationStatus, type OperationType } from "../../checkpoint";
import { UsageError } from "../../errors";
import { CHECKPOINTS_DIR } from "../../paths";
import { checkSubcommandOptions, oneOf, str, subcommand } from "../args";
import type { Command, CommandContext, Values } from "../command";
import { renderTable } from "../table";
import { remoteCheckpoints, serverOf, SERVER_OPTION, SERVER_USAGE } from "../remote";

const USAGE = [
  "usage: stratlab checkpoints list [--type T] [--status S] [--kind K] [--older-than 7d] [--operation ID]",
  "       stratlab checkpoints delete ID [--force]",
  "       stratlab checkpoints cleanup --max-age 7d [--dry-run] [--include-final]",
  "       (every form takes [--root DIR] [--server URL] [--json])",
  "",
  `  --type        operation type: ${OPERATION_TYPES.join(", ")}`,
  `  --status      operation status: ${OPERATION_STATUSES.join(", ")}`,
  `  --kind        checkpoint type: ${CHECKPOINT_TYPES.join(", ")}`,
  "  --older-than  only checkpoints at least this old (30m, 12h, 7d)",
  "  --operation   only checkpoints of this operation",
  "  delete ID     a checkpoint id, or an operation id (all its checkpoints); --force for a running operation",
  "  --max-age     cleanup removes checkpoints older than this, except those of running operations",
  "  --dry-run     show what cleanup would remove",
  "  --include-final  cleanup also removes final checkpoints (stored backtest and training results)",
  `  --root        checkpoint folder (default ${CHECKPOINTS_DIR})`,
  SERVER_USAGE,
].join("\n");

const ALLOWED: Record<string, string[]> = {
  list: ["type", "status", "kind", "older-than", "operation", "root", "server"],
  delete: ["force", "root", "server"],
  cleanup: ["max-age", "dry-run", "include-final", "root", "server"],
};

export const checkpointsCommand: Command = {
  name: "checkpoints",
  summary: "list, delete and clean up checkpoints of backtests and training runs",
  usage: USAGE,
  options: {
    type: { type: "string" },
    status: { type: "string" },
    kind: { type: "string" },
    "older-than": { type: "string" },
    operation: { type: "string" },
    force: { type: "boolean" },
    "max-age": { type: "string" },
    "dry-run": { type: "boolean" },
    "include-final": { type: "boolean" },
    root: { type: "string" },
    ...SERVER_OPTION,
  },
  run(ctx) {
    const sub = subcommand(ctx, "checkpoints", Object.keys(ALLOWED));
    checkSubcommandOptions(ctx, "checkpoints", sub, ALLOWED[sub]!);
    const server = serverOf(ctx);
    if (server !== undefined) return remoteCheckpoints(ctx, server, sub);
    const service = new CheckpointService({ root: str(ctx.values, "root") ?? CHECKPOINTS_DIR });
    if (sub === "list") return list(ctx, service);
    if (sub === "delete") return remove(ctx, service);
    return cleanup(ctx, service);
  },
};

function list(ctx: CommandContext, service: CheckpointService) {
  if (ctx.positionals.length > 1) throw new UsageError(`checkpoints list takes no argument, got ${JSON.stringify(ctx.positionals[1])}; see: stratlab help checkpoints`);
  const olderThan = str(ctx.values, "older-than");
  const operationId = str(ctx.values, "operation");
  const checkpoints = service.list({
    ...(operationId !== undefined ? { operationId } : {}),
    ...optional("operationType", oneOf<OperationType>(ctx.values, "type", OPERATION_TYPES)),
    ...optional("status", oneOf<OperationStatus>(ctx.values, "status", OPERATION_STATUSES)),
    ...optional("type", oneOf<CheckpointType>(ctx.values, "kind", CHECKPOINT_TYPES)),
    ...(olderThan !== undefined ? { olderThan: parseDuration(olderThan, "--older-than") } : {}),
  });
  if (!ctx.json) {
    if (checkpoints.length === 0) ctx.out(`no checkpoints in ${service.root}`);
    else ctx.out(renderTable(["checkpoint", "operation", "op type", "op status", "kind", "unit", "age", "MB"], checkpoints.map(row)));
  }
  return { root: service.root, checkpoints };
}

function row(c: CheckpointListing): (string | number | undefined)[] {
  return [c.id, c.operationId, c.operationType ?? "-", c.operationStatus ?? "-", c.type, c.unit, formatDuration(c.ageMs), Math.round(c.bytes / 1e4) / 100];
}

function remove(ctx: CommandContext, service: CheckpointService) {
  const id = ctx.positionals[1];
  if (id === undefined || ctx.positionals.length > 2) throw new UsageError("checkpoints delete takes one checkpoint or operation id; see: stratlab checkpoints list");
  const meta = service.find(id);
  const operationId = meta?.operationId ?? id;
  const op = service.operations.find(operationId);
  if (meta === undefined && op === undefined && service.list({ operationId: id }).length === 0) {
    throw new UsageError(`no checkpoint or operation "${id}" in ${service.root}; see: stratlab checkpoints list`);
  }
  if (op !== undefined && isRunning(op) && ctx.values.force !== true) {
    throw new UsageError(`operation ${operationId} is running (pid ${op.pid}); cancel it first (stratlab operations cancel ${operationId}) or add --force`);
  }
  const deleted: CheckpointMeta[] = meta !== undefined ? [service.delete(id)] : service.deleteOperation(id);
  if (!ctx.json) ctx.out(deleted.length ? `deleted ${deleted.map((d) => d.id).join(", ")}` : `operation ${id} had no checkpoints`);
  return { deleted };
}

function cleanup(ctx: CommandContext, service: CheckpointService) {
  if (ctx.positionals.length > 1) throw new UsageError(`checkpoints cleanup takes no argument, got ${JSON.stringify(ctx.positionals[1])}; use --max-age 7d`);
  const maxAge = str(ctx.values, "max-age");
  if (maxAge === undefined) throw new UsageError("checkpoints cleanup needs --max-age, e.g. --max-age 7d");
  const r = service.cleanup({ maxAge: parseDuration(maxAge, "--max-age"), dryRun: ctx.values["dry-run"] === true, includeFinal: ctx.values["include-final"] === true });
  if (!ctx.json) {
    const verb = r.dryRun ? "would remove" : "removed";
    ctx.out(`${verb} ${r.removed.length} checkpoint(s) older than ${maxAge}${r.removed.length ? ": " + r.removed.map((c) => c.id).join(", ") : ""}`);
    if (r.orphans.length) ctx.out(`${verb} ${r.orphans.length} unlisted folder(s): ${r.orphans.join(", ")}`);
    for (const s of r.skipped) ctx.out(`kept ${s.id}: ${s.reason}`);
  }
  return r;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// Sub-command parsing, shared with `operations` (candidates for lib/cli/args.ts).

