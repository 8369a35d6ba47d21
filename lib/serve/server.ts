/**
 * The HTTP API on Fastify: JSON-schema validation of every body, query and path parameter
 * (ajv, unknown fields refused), an OpenAPI document at /openapi.json, bearer-token auth,
 * one-line JSON errors, the events stream, the console and the runs (read-only).
 *
 * Security model: loopback by default and no token needed there; any other address needs a
 * token (`--token-file`) and the server refuses to start without one. With a token, every API
 * request needs `Authorization: Bearer <token>`; the console's static files do not (they hold
 * no data; the console sends the token it is given in the URL fragment).
 */
import { timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import swagger from "@fastify/swagger";
import { CHECKPOINT_TYPES } from "../checkpoint";
import { CheckpointError, formatError, RunError, StratlabError } from "../errors";
import { PACKAGE_ROOT } from "../paths";
import { HttpError } from "./http-error";
import { START_BODY } from "./requests";
import type { OperationService, ServiceEvent } from "./service";
import { API_STATUSES, API_TYPES } from "./types";

/** Bodies larger than this are refused with 413. */
export const BODY_LIMIT = 64 * 1024;
export const CONSOLE_DIR = join(PACKAGE_ROOT, "lib", "serve", "console");
const CONSOLE_FILES: Record<string, string> = { "/": "index.html", "/console.js": "console.js", "/console.css": "console.css" };
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export interface ServerOptions {
  service: OperationService;
  /** Required bearer token (none: no auth, loopback only). */
  token?: string;
  logger?: boolean;
}

const ID = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", description: "an operation or checkpoint id" };
const idParams = { type: "object", required: ["id"], properties: { id: ID }, additionalProperties: false };
const ERROR = { type: "object", properties: { error: { type: "string" }, status: { type: "integer" } } };
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ERROR]));
const CHECKPOINT_KINDS = [...CHECKPOINT_TYPES];
const DURATION = { type: "string", pattern: "^\\s*\\d+(\\.\\d+)?\\s*[smhdwSMHDW]\\s*$", description: "a duration: 30s, 30m, 12h, 7d, 2w" };

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { service } = opts;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // Unknown fields are refused rather than stripped; query strings are coerced to numbers/booleans.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: "stratlab service", version: "1", description: "Operations (backtests, optimisations, trainings) run in worker processes, with checkpoints, cancel and resume." },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      ...(opts.token !== undefined ? { security: [{ bearer: [] }] } : {}),
    },
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const { status, message } = describeError(err);
    void reply.code(status).send({ error: message, status });
  });
  app.setNotFoundHandler((req, reply) => void reply.code(404).send({ error: `no route ${req.method} ${req.url.split("?")[0]}; see GET /openapi.json`, status: 404 }));

  if (opts.token !== undefined) {
    const expected = Buffer.from(opts.token, "utf8");
    app.addHook("onRequest", async (req, reply) => {
      const path = req.url.split("?")[0]!;
      if (req.method === "GET" && CONSOLE_FILES[path] !== undefined) return;
      const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
      const given = Buffer.from(m?.[1] ?? "", "utf8");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        await reply.code(401).header("www-authenticate", "Bearer").send({ error: "this server needs a bearer token: Authorization: Bearer <token from --token-file>", status: 401 });
      }
    });
  }

  // ---- operations --------------------------------------------------------------------
  app.post("/operations", { schema: { summary: "start an operation", body: START_BODY, response: errors(400, 401, 413) } }, async (req, reply) => {
    return reply.code(202).send(service.start(req.body as Record<string, unknown>));
  });
  app.get(
    "/operations",
    { schema: { summary: "list operations", querystring: { type: "object", properties: { type: { type: "string", enum: [...API_TYPES] }, status: { type: "string", enum: [...API_STATUSES] } }, additionalProperties: false } } },
    async (req) => {
      const q = req.query as { type?: (typeof API_TYPES)[number]; status?: (typeof API_STATUSES)[number] };
      return { operations: service.list(q) };
    },
  );
  app.get("/operations/:id", { schema: { summary: "one operation (its result when completed)", params: idParams, response: errors(404) } }, async (req) => service.get((req.params as { id: string }).id, true));
  app.post("/operations/:id/cancel", { schema: { summary: "cancel: the operation saves a cancellation checkpoint and stops", params: idParams, response: errors(404, 409) } }, async (req, reply) => {
    const op = service.cancel((req.params as { id: string }).id);
    return reply.code(op.status === "cancelled" ? 200 : 202).send(op);
  });
  app.post("/operations/:id/resume", { schema: { summary: "resume from the latest checkpoint as a new, linked operation", params: idParams, response: errors(404, 409) } }, async (req, reply) => {
    return reply.code(202).send(service.resume((req.params as { id: string }).id));
  });
  app.get("/operations/:id/events", { schema: { summary: "server-sent events: progress, checkpoint, end", params: idParams, produces: ["text/event-stream"] } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const first = service.get(id);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
    const write = (e: ServiceEvent) => raw.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    const ended = first.status !== "running" && first.status !== "queued";
    write({ event: ended ? "end" : "progress", data: ended ? first : { ...(first.progress ?? { unit: 0, total: null, fraction: null }), status: first.status } });
    if (ended) return raw.end();
    const keepAlive = setInterval(() => raw.write(": keep-alive\n\n"), 15_000);
    const off = service.subscribe(id, (e) => {
      write(e);
      if (e.event === "end") stop();
    });
    const stop = () => {
      clearInterval(keepAlive);
      off();
      raw.end();
    };
    req.raw.on("close", stop);
  });

  // ---- checkpoints -------------------------------------------------------------------
  app.get(
    "/checkpoints",
    {
      schema: {
        summary: "list checkpoints",
        querystring: {
          type: "object",
          properties: { operation: ID, type: { type: "string", enum: [...API_TYPES] }, kind: { type: "string", enum: CHECKPOINT_KINDS }, status: { type: "string", enum: [...API_STATUSES] }, older_than: DURATION },
          additionalProperties: false,
        },
      },
    },
    async (req) => ({ checkpoints: service.checkpoints(req.query as Parameters<OperationService["checkpoints"]>[0]) }),
  );
  app.get("/checkpoints/:id", { schema: { summary: "one checkpoint with its (verified) state", params: idParams, response: errors(404) } }, async (req) => service.checkpoint((req.params as { id: string }).id));
  app.delete("/checkpoints/:id", { schema: { summary: "delete a checkpoint (409 while its operation runs)", params: idParams, response: errors(404, 409) } }, async (req) => ({ deleted: service.deleteCheckpoint((req.params as { id: string }).id) }));
  app.post(
    "/checkpoints/cleanup",
    {
      schema: {
        summary: "remove checkpoints older than max_age (running operations skipped, final kept unless include_final)",
        body: { type: "object", required: ["max_age"], properties: { max_age: { anyOf: [DURATION, { type: "integer", minimum: 0 }] }, dry_run: { type: "boolean" }, include_final: { type: "boolean" } }, additionalProperties: false },
      },
    },
    async (req) => service.cleanup(req.body as { max_age: string | number; dry_run?: boolean; include_final?: boolean }),
  );

  // ---- runs (read-only) --------------------------------------------------------------
  app.get("/runs", { schema: { summary: "optimisation runs with their best results and dashboards" } }, async () => ({ runs: service.runsList().map(({ dir: _d, ...r }) => r) }));
  app.get(
    "/runs/:name/*",
    { schema: { summary: "a file of a run (its dashboard: index.html)", params: { type: "object", required: ["name"], properties: { name: { type: "string", pattern: "^\\d{8}T\\d{6}Z-[A-Za-z0-9][A-Za-z0-9._-]*$" }, "*": { type: "string", maxLength: 1024 } } } } },
    async (req, reply) => {
      const p = req.params as { name: string; "*": string };
      const base = resolve(service.runs, p.name);
      const file = resolve(base, p["*"] || "index.html");
      if (!file.startsWith(base + sep) || p["*"].split("/").some((s) => s.startsWith("."))) throw new HttpError(404, `no file ${p["*"]} in run ${p.name}`);
      let body: Buffer;
      try {
        if (!statSync(file).isFile()) throw new Error("not a file");
        body = readFileSync(file);
      } catch {
        throw new HttpError(404, `no file ${p["*"]} in run ${p.name}`);
      }
      return reply.type(CONTENT_TYPES[extname(file)] ?? "application/octet-stream").send(body);
    },
  );

  // ---- console and OpenAPI -----------------------------------------------------------
  for (const [route, file] of Object.entries(CONSOLE_FILES)) {
    app.get(route, { schema: { hide: true } }, async (_req, reply) => reply.type(CONTENT_TYPES[extname(file)]!).header("cache-control", "no-cache").send(readFileSync(join(CONSOLE_DIR, file))));
  }
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** Status and one-line message for any error a route raises. */
function describeError(err: FastifyError & { validation?: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[]; validationContext?: string }): { status: number; message: string } {
  if (err.validation && err.validation.length > 0) {
    const v = err.validation[0]!;
    const where = `${err.validationContext ?? "request"}${v.instancePath.replace(/\//g, ".")}`;
    const p = v.params;
    const what =
      v.keyword === "enum" ? `must be one of ${(p.allowedValues as unknown[]).join(", ")}`
      : v.keyword === "additionalProperty" || v.keyword === "additionalProperties" ? `has an unknown field "${String(p.additionalProperty)}"`
      : v.keyword === "required" ? `needs the field "${String(p.missingProperty)}"`
      : v.keyword === "const" ? `must be ${JSON.stringify(p.allowedValue)}`
      : (v.message ?? "is not valid");
    return { status: 400, message: `${where} ${what}` };
  }
  if (err instanceof HttpError) return { status: err.statusCode, message: err.message };
  if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") return { status: 413, message: `request body over ${BODY_LIMIT} bytes` };
  // A checkpoint or run that cannot be used as it is on disk conflicts with the request; anything else the library refuses is bad input.
  if ((err as unknown) instanceof CheckpointError || (err as unknown) instanceof RunError) return { status: 409, message: formatError(err) };
  if ((err as unknown) instanceof StratlabError) return { status: 400, message: formatError(err) };
  const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  return { status, message: status === 500 ? formatError(err) : err.message.split("\n")[0]! };
}

export type { FastifyReply, FastifyRequest };
