/**
 * The service's vocabulary: operation types as the HTTP API names them, statuses as it shows
 * them, the jobs handed to worker processes and the messages they send back.
 */
import type { OperationType } from "../checkpoint";

/** `POST /operations` types; the registry's `backtesting` is the API's `backtest`. */
export type ApiType = "backtest" | "training" | "optimisation";
export const API_TYPES: readonly ApiType[] = ["backtest", "training", "optimisation"];

const TO_REGISTRY: Record<ApiType, OperationType> = { backtest: "backtesting", training: "training", optimisation: "optimisation" };
export const registryType = (t: ApiType): OperationType => TO_REGISTRY[t];
export const apiType = (t: OperationType): ApiType => (t === "backtesting" ? "backtest" : t);

/**
 * The registry's statuses plus `queued` (waiting for a worker process) and `interrupted` (its
 * process went away without an outcome: the server or the worker was killed, or the server
 * stopped it): an interrupted operation resumes from its last checkpoint.
 */
export type ApiStatus = "queued" | "running" | "completed" | "cancelled" | "failed" | "interrupted";
export const API_STATUSES: readonly ApiStatus[] = ["queued", "running", "completed", "cancelled", "failed", "interrupted"];

/** What a worker process is asked to do. */
export interface Job {
  /** The operation id the worker records (allocated by the server when it answered 202). */
  id: string;
  type: ApiType;
  kind: "start" | "resume";
  /** For start: the API request (snake_case, validated). */
  request: Record<string, unknown>;
  /** For resume: the operation continued. */
  resumeOf?: string;
  /** Checkpoint root and runs folder of the server. */
  root: string;
  runs: string;
}

/** Progress as the API shows it and the events stream sends it. */
export interface ApiProgress {
  unit: number;
  total: number | null;
  fraction: number | null;
}

export interface ApiCheckpointRef {
  id: string;
  kind: string;
  unit: number | null;
  created_at: string;
}

/** Worker -> server (IPC). */
export type WorkerMessage =
  | { type: "started"; id: string; pid: number }
  | { type: "progress"; id: string; kind: "progress" | "checkpoint" | "cancelled" | "final"; progress: ApiProgress; checkpoint?: ApiCheckpointRef }
  | { type: "end"; id: string; status: "completed" | "cancelled" | "failed"; error?: string };

/** Server -> worker (IPC). */
export type ServerMessage = { type: "job"; job: Job } | { type: "cancel"; reason: string };

export const DEFAULT_PORT = 8787;

/** Why a worker stopped when its server went away: shown as `interrupted`. */
export const SERVER_GONE = "the server stopped (its worker process was disconnected)";
