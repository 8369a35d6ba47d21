/**
 * Checkpoints and operations: save/load/verify checkpoints of plain JSON state and files,
 * decide when to take them, cancel work cleanly, and resume it. Knows no engine.
 * See docs/checkpoints.md.
 */
export { CancellationToken, type CancelListener } from "./cancellation";
export { systemClock, type Clock } from "./clock";
export { formatDuration, parseDuration, toMs } from "./duration";
export {
  getResumer,
  newOperationId,
  OperationRegistry,
  registerResumer,
  type BridgeSettings,
  type CancelRequest,
  type OperationContext,
  type OperationOutcome,
  type OperationRegistryOptions,
  type ResumeContext,
  type Resumer,
  type ResumeOutcome,
  type RunOptions,
} from "./operations";
export { CheckpointPolicy, type CheckpointPolicyConfig, type PolicyContext } from "./policy";
export { ProgressBridge, type ProgressBridgeOptions, type ProgressEvent, type ProgressKind } from "./progress-bridge";
export {
  CANCEL_REQUEST_FILE,
  CheckpointService,
  INDEX_FILE,
  STATE_FILE,
  type CheckpointFilter,
  type CheckpointListing,
  type CheckpointServiceOptions,
  type CleanupResult,
  type LoadedCheckpoint,
  type StateFile,
} from "./service";
export { isProcessAlive } from "./store/lock-file";
export { effectiveStatus, isRunning, OPERATIONS_FILE } from "./store/operation-store";
export * from "./types";
