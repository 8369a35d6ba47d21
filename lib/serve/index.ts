/**
 * The operations service (`stratlab serve`): an HTTP API on Fastify over the operations
 * registry, with operations in worker processes, a live web console and a client. See
 * docs/service.md.
 */
export { startService, isLoopback, type StartOptions, type RunningService } from "./start";
export { OperationService, statusOf, type ApiOperation, type ServiceEvent } from "./service";
export { ProcessRunner, WORKER_SCRIPT, type OperationRunner, type JobHandlers } from "./runner";
export { HANDLERS, type OperationHandler, type JobContext } from "./dispatch";
export { buildServer, BODY_LIMIT } from "./server";
export { connect, ServiceClient, ServiceError, type WatchOptions } from "./client";
export * from "./types";
