/**
 * Model training with checkpoints: a direction MLP on tfjs, trained epoch by epoch through the
 * checkpoint module, saved as a model folder, loaded for predictions without tfjs. Importing
 * it registers the resumer for `training` operations (tfjs loads on the first training).
 */
export { computeFeatures, directionDataset, featureSpec, FEATURE_NAMES, FEATURES_VERSION, WARM_UP, type DirectionDataset, type FeatureSpec, type Normalisation, type SplitConfig } from "./features";
export { loadModel, type LoadedModel } from "./load";
export { MODEL_FORMAT, predictBars, readModelFolder, type ModelManifest } from "./model-folder";
export { DEFAULT_CHECKPOINT_EVERY_EPOCHS, DEFAULT_MODEL_DIR, findResumableTraining, prepareTraining, resumeTraining, train, TRAINING_STATE_FORMAT, type EpochEvent, type EpochStats, type TrainDocument, type TrainingState, type TrainOptions, type TrainOutcome, type TrainRequest, type TrainSpec } from "./run";
