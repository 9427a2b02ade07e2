// ctc-ensemble/ensemble: build (NeMo build_ensemble.py YAML), load and transcribe, LM weight tuning, manifests.
export { Ensemble, type EnsembleLoadOptions } from './ensemble.js';
export type { TranscribeOptions, EnsembleResult, EnsembleMemberInfo, MemberTranscript, SegmentResult } from './types.js';
export { LongFormTranscriber, type LongFormOptions, type LongFormResult, type RouteMode } from './longform.js';
export { summarizeEnsemble, type EnsembleSummary } from './summary.js';
export { buildEnsemble, buildEnsembleFromConfig, resolveOutputDir, type BuildOptions, type BuildResult, type BuildStats } from './build.js';
export { parseBuildConfig, loadBuildConfig, checkConfigFiles, tuningGridSpecs, parseConfidenceBlock } from './config.js';
export { parseOverride, parseOverrideValue, applyOverrides, type HydraOverride } from './hydra-overrides.js';
export { importNemoEnsemble, type ImportNemoMember, type ImportNemoOptions, type ImportNemoResult } from './import-nemo.js';
export type { BuildConfig, EnsembleMemberConfig, TuneConfidenceConfig, TuneLogisticRegressionConfig, TranscriptionSettings } from './config.js';
export { loadManifest, parseManifest, parseManifestLine, subsampleManifest, checkAudioFiles } from './manifest.js';
export type { Manifest, ManifestEntry, ManifestOptions } from './manifest.js';
export { readEnsembleJson, writeEnsembleJson, ENSEMBLE_FILE, ENSEMBLE_FORMAT, ENSEMBLE_SCHEMA_VERSION } from './format.js';
export type { EnsembleJson, EnsembleModelJson, EnsembleLmJson, TrainingReport } from './format.js';
export { DecodedAudio } from './runner.js';
export { checkEnsembleFiles, checkLanguageModelFiles, verifyModelChecksums, type EnsembleCheckOptions } from './verify.js';
export { resultRecord, segmentRecord, manifestRecord, transcribeEntry, entryFields, failedRecord, type EntryTranscriber, type RecordEntry } from './records.js';
