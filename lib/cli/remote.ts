/**
 * `operations` and `checkpoints` against a running service: `--server URL` (or
 * STRATLAB_SERVER, unless --root is given), with STRATLAB_TOKEN as the bearer token.
 * The same sub-commands and options as locally, answered by the HTTP API.
 */
import { parseDuration } from "../checkpoint";
import { CancelledError, UsageError } from "../errors";
import { connect, type ServiceClient } from "../serve/client";
import type { ApiOperation } from "../serve/service";
import { API_STATUSES, API_TYPES, type ApiStatus, type ApiType } from "../serve/types";
import { str } from "./args";
import type { CommandContext, OptionSpec } from "./command";
import { renderTable } from "./table";

export const SERVER_OPTION: OptionSpec = { server: { type: "string" } };
export const SERVER_USAGE = "  --server  a stratlab service URL (default: STRATLAB_SERVER unless --root is given); token from STRATLAB_TOKEN";

export function serverOf(ctx: CommandContext): string | undefined {
  const given = str(ctx.values, "server");
  if (given !== undefined) {
    if (!/^https?:\/\/[^\s/]+/.test(given)) throw new UsageError(`--server ${JSON.stringify(given)} must be a URL such as http://127.0.0.1:8787`);
    if (str(ctx.values, "root") !== undefined) throw new UsageError("--server and --root exclude each other: the server has its own checkpoint folder");
    return given;
  }
  const env = process.env.STRATLAB_SERVER;
  return env && str(ctx.values, "root") === undefined ? env : undefined;
}

/** `--type backtesting` (the registry's name) or `backtest` (the API's). */
function apiTypeOption(ctx: CommandContext): ApiType | undefined {
  const t = str(ctx.values, "type");
  if (t === undefined) return undefined;
  const mapped = t === "backtesting" ? "backtest" : t;
  if (!API_TYPES.includes(mapped as ApiType)) throw new UsageError(`--type ${JSON.stringify(t)} must be one of ${API_TYPES.join(", ")}`);
  return mapped as ApiType;
}

function statusOption(ctx: CommandContext): ApiStatus | undefined {
  const s = str(ctx.values, "status");
  if (s !== undefined && !API_STATUSES.includes(s as ApiStatus)) throw new UsageError(`--status ${JSON.stringify(s)} must be one of ${API_STATUSES.join(", ")}`);
  return s as ApiStatus | undefined;
}

function oneId(ctx: CommandContext, what: string): string {
  const id = ctx.positionals[1];
  if (id === undefined || ctx.positionals.length > 2) throw new UsageError(`${what} takes one id`);
  return id;
}

const opRow = (o: ApiOperation) => [o.id, o.type, o.status, o.progress?.total ? `${o.progress.unit}/${o.progress.total}` : "", o.latest_checkpoint ? `${o.latest_checkpoint.kind} @ ${o.latest_checkpoint.unit}` : "", o.resumed_from ?? "", o.resumed_by ?? ""];

export async function remoteOperations(ctx: CommandContext, url: string, sub: string): Promise<unknown> {
  const svc = connect(url);
  if (sub === "list") {
    const type = apiTypeOption(ctx);
    const status = statusOption(ctx);
    const operations = await svc.list({ ...(type ? { type } : {}), ...(status ? { status } : {}) });
    if (!ctx.json) ctx.out(operations.length ? renderTable(["operation", "type", "status", "progress", "latest checkpoint", "resumed from", "resumed by"], operations.map(opRow)) : `no operations on ${url}`);
    return { server: url, operations };
  }
  const id = oneId(ctx, `operations ${sub}`);
  if (sub === "show") {
    const operation = await svc.get(id);
    const checkpoints = await svc.checkpoints({ operation: id });
    if (!ctx.json) {
      ctx.out(renderTable(["operation", "type", "status", "progress", "latest checkpoint", "resumed from", "resumed by"], [opRow(operation)]));
      if (operation.error) ctx.out(`outcome: ${operation.error}`);
    }
    return { operation, checkpoints };
  }
  if (sub === "cancel") {
    if (ctx.values.signal === true) throw new UsageError("--signal does not apply with --server (the server stops its own worker processes)");
    let operation = await svc.cancel(id);
    const wait = str(ctx.values, "wait");
    if (wait !== undefined) operation = await waitForEnd(svc, id, parseDuration(wait, "--wait"));
    if (!ctx.json) ctx.out(`${id}: ${operation.status}`);
    return { operation };
  }
  const started = await svc.resume(id);
  if (!ctx.json) ctx.out(`resuming ${id} as ${started.id}`);
  const operation = await svc.watch(started.id, { progress: false, onEvent: (e, d) => e !== "end" && ctx.err(`${started.id}: ${JSON.stringify(d)}`) });
  if (operation.status === "cancelled" || operation.status === "interrupted") throw new CancelledError(`operation ${operation.id} ${operation.status}: ${operation.error ?? ""}`);
  if (operation.status === "failed") throw new UsageError(`operation ${operation.id} failed: ${operation.error ?? "no reason recorded"}`);
  if (!ctx.json) ctx.out(`resumed ${id} as ${operation.id}: ${operation.status}`);
  return { resumedFrom: id, operation, result: operation.result };
}

async function waitForEnd(svc: ServiceClient, id: string, ms: number): Promise<ApiOperation> {
  const deadline = Date.now() + ms;
  for (;;) {
    const op = await svc.get(id);
    if ((op.status !== "running" && op.status !== "queued") || Date.now() >= deadline) return op;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function remoteCheckpoints(ctx: CommandContext, url: string, sub: string): Promise<unknown> {
  const svc = connect(url);
  if (sub === "list") {
    const type = apiTypeOption(ctx);
    const status = statusOption(ctx);
    const kind = str(ctx.values, "kind");
    const operation = str(ctx.values, "operation");
    const olderThan = str(ctx.values, "older-than");
    const checkpoints = await svc.checkpoints({ ...(type ? { type } : {}), ...(status ? { status } : {}), ...(kind ? { kind } : {}), ...(operation ? { operation } : {}), ...(olderThan ? { older_than: olderThan } : {}) });
    if (!ctx.json) ctx.out(checkpoints.length ? renderTable(["checkpoint", "operation", "op type", "op status", "kind", "unit", "created"], checkpoints.map((c) => [c.id, c.operation_id, c.operation_type ?? "-", c.operation_status ?? "-", c.kind, c.unit ?? "", c.created_at])) : `no checkpoints on ${url}`);
    return { server: url, checkpoints };
  }
  if (sub === "delete") {
    const deleted = await svc.deleteCheckpoint(oneId(ctx, "checkpoints delete"));
    if (!ctx.json) ctx.out(`deleted ${deleted.id}`);
    return { deleted: [deleted] };
  }
  const maxAge = str(ctx.values, "max-age");
  if (maxAge === undefined) throw new UsageError("checkpoints cleanup needs --max-age, e.g. --max-age 7d");
  parseDuration(maxAge, "--max-age");
  const r = await svc.cleanup({ max_age: maxAge, dry_run: ctx.values["dry-run"] === true, include_final: ctx.values["include-final"] === true });
  if (!ctx.json) ctx.out(`${r.dry_run ? "would remove" : "removed"} ${r.removed.length} checkpoint(s) older than ${maxAge}; kept ${r.skipped.length} of running operations`);
  return r;
}
