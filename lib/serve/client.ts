/**
 * `connect(url)`: the service from a notebook or a script.
 *
 *   const svc = connect("http://127.0.0.1:8787");
 *   const op = await svc.start({ type: "backtest", strategy: "sma_cross" });
 *   const done = await svc.watch(op.id);          // an inline progress bar; resolves at the end
 *   await svc.cancel(id); await svc.resume(id); await svc.checkpoints({ operation: id });
 *
 * Errors from the server become a ServiceError with its status and one-line message.
 */
import { StratlabError } from "../errors";
import { progressBar } from "../notebook/progress";
import type { ApiOperation } from "./service";
import type { ApiProgress, ApiStatus, ApiType } from "./types";

export class ServiceError extends StratlabError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface WatchOptions {
  /** Draw a progress bar (inline in a notebook, lines elsewhere); default true. */
  progress?: boolean;
  /** Every event as it arrives. */
  onEvent?: (event: string, data: unknown) => void;
  signal?: AbortSignal;
}

export interface CheckpointView {
  id: string;
  operation_id: string;
  operation_type: ApiType | null;
  operation_status: ApiStatus | null;
  kind: string;
  unit: number | null;
  created_at: string;
  bytes: number;
  age_ms: number;
}

export class ServiceClient {
  readonly url: string;

  constructor(
    url: string,
    private readonly token?: string,
  ) {
    this.url = url.replace(/\/+$/, "");
  }

  start(request: { type: ApiType } & Record<string, unknown>): Promise<ApiOperation> {
    return this.call("POST", "/operations", request);
  }

  get(id: string): Promise<ApiOperation> {
    return this.call("GET", `/operations/${encodeURIComponent(id)}`);
  }

  async list(filter: { type?: ApiType; status?: ApiStatus } = {}): Promise<ApiOperation[]> {
    return (await this.call<{ operations: ApiOperation[] }>("GET", `/operations${query(filter)}`)).operations;
  }

  cancel(id: string): Promise<ApiOperation> {
    return this.call("POST", `/operations/${encodeURIComponent(id)}/cancel`);
  }

  resume(id: string): Promise<ApiOperation> {
    return this.call("POST", `/operations/${encodeURIComponent(id)}/resume`);
  }

  async checkpoints(filter: { operation?: string; type?: ApiType; kind?: string; status?: ApiStatus; older_than?: string } = {}): Promise<CheckpointView[]> {
    return (await this.call<{ checkpoints: CheckpointView[] }>("GET", `/checkpoints${query(filter)}`)).checkpoints;
  }

  checkpoint(id: string): Promise<CheckpointView & { state: unknown }> {
    return this.call("GET", `/checkpoints/${encodeURIComponent(id)}`);
  }

  async deleteCheckpoint(id: string): Promise<CheckpointView> {
    return (await this.call<{ deleted: CheckpointView }>("DELETE", `/checkpoints/${encodeURIComponent(id)}`)).deleted;
  }

  cleanup(options: { max_age: string | number; dry_run?: boolean; include_final?: boolean }): Promise<{ removed: string[]; skipped: { id: string; operation_id: string; reason: string }[]; orphans: string[]; dry_run: boolean; max_age_ms: number }> {
    return this.call("POST", "/checkpoints/cleanup", options);
  }

  async runs(): Promise<unknown[]> {
    return (await this.call<{ runs: unknown[] }>("GET", "/runs")).runs;
  }

  /**
   * Follows the events stream of `id` until it ends; resolves with the operation as it ended
   * (with its result when completed).
   */
  async watch(id: string, options: WatchOptions = {}): Promise<ApiOperation> {
    const res = await this.fetch("GET", `/operations/${encodeURIComponent(id)}/events`, undefined, options.signal);
    if (!res.ok || res.body === null) throw await errorOf(res);
    const bar = options.progress === false ? undefined : progressBar(1, id);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let sep: number;
        while ((sep = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, sep);
          buffer = buffer.slice(sep + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === undefined || data === undefined) continue;
          const parsed = JSON.parse(data) as ApiProgress & ApiOperation;
          options.onEvent?.(event, parsed);
          if (event === "end") {
            bar?.finish(parsed.status);
            return this.get(id);
          }
          if (parsed.total) bar?.update(parsed.unit, parsed.total);
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    return this.get(id);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(method, path, body);
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }

  private fetch(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    return fetch(this.url + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal ? { signal } : {}) }).catch((e: Error & { cause?: { code?: string } }) => {
      throw new ServiceError(0, `cannot reach the stratlab service at ${this.url} (${e.cause?.code ?? e.message}); start it with: stratlab serve`);
    });
  }
}

async function errorOf(res: Response): Promise<ServiceError> {
  let message = `HTTP ${res.status}`;
  try {
    const doc = (await res.json()) as { error?: string };
    if (doc.error) message = doc.error;
  } catch {
    /* not JSON */
  }
  return new ServiceError(res.status, `${message} (HTTP ${res.status})`);
}

function query(filter: Record<string, string | undefined>): string {
  const q = Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][];
  return q.length ? `?${new URLSearchParams(q).toString()}` : "";
}

/** A client of the service at `url` (default: STRATLAB_SERVER, else http://127.0.0.1:8787). */
export function connect(url: string = process.env.STRATLAB_SERVER ?? "http://127.0.0.1:8787", options: { token?: string } = {}): ServiceClient {
  return new ServiceClient(url, options.token ?? process.env.STRATLAB_TOKEN);
}
