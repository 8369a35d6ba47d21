/**
 * Model training with checkpoints: a logistic regression of next-bar direction on tfjs, trained
 * epoch by epoch through the checkpoint module's progress bridge. Importing it registers the
 * resumer for `training` operations (and loads tfjs).
 */
export { directionDataset, FEATURE_NAMES, type DirectionDataset } from "./features";
export { epochStats, evaluateRows, trainEpoch, zeroWeights, type EpochStats, type LogisticWeights } from "./logistic";
export { prepareTraining, resumeTraining, train, TRAINING_RESULT_FORMAT, TRAINING_STATE_FORMAT, type TrainingState, type TrainOptions, type TrainOutcome, type TrainRequest, type TrainResult, type TrainSpec } from "./run";
