// Public API. Each capability exports from its own folder; the CLI and server are thin layers over this.
export { UserError, isUserError } from './util/errors.js';
export type { CtcModel, Logprobs, ModelLayout, TokenizerInfo, FrontEndConfig } from './models/types.js';
export type { LanguageModelScorer } from './lm/types.js';
// Ensembles: build (NeMo build_ensemble.py YAML), load + transcribe, LM weight tuning.
export { Ensemble, DEFAULT_BEAM } from './ensemble/ensemble.js';
export type { EnsembleLoadOptions } from './ensemble/ensemble.js';
export type { TranscribeOptions, EnsembleResult, EnsembleMemberInfo, MemberTranscript } from './ensemble/types.js';
export { buildEnsemble, buildEnsembleFromConfig, resolveOutputDir } from './ensemble/build.js';
export type { BuildOptions, BuildResult, BuildStats } from './ensemble/build.js';
export { parseBuildConfig, loadBuildConfig, checkConfigFiles, tuningGridSpecs, specKey } from './ensemble/config.js';
export type {
  BuildConfig,
  EnsembleMemberConfig,
  TuneConfidenceConfig,
  TuneLogisticRegressionConfig as BuildTuneLogisticRegressionConfig,
  TranscriptionSettings,
} from './ensemble/config.js';
export { loadManifest, parseManifest, parseManifestLine, subsampleManifest, checkAudioFiles } from './ensemble/manifest.js';
export type { Manifest, ManifestEntry, ManifestOptions } from './ensemble/manifest.js';
export { PyRandom } from './ensemble/pyrandom.js';
export { Progress, formatDuration } from './ensemble/progress.js';
export type { ProgressOptions } from './ensemble/progress.js';
export { readEnsembleJson, writeEnsembleJson, ENSEMBLE_FILE, ENSEMBLE_FORMAT, ENSEMBLE_SCHEMA_VERSION, DEFAULT_LM_ALPHA, DEFAULT_LM_BETA } from './ensemble/format.js';
export type { EnsembleJson, EnsembleModelJson, EnsembleLmJson, TrainingReport } from './ensemble/format.js';
export { tuneLm, DEFAULT_TUNE_ALPHAS, DEFAULT_TUNE_BETAS } from './ensemble/tune-lm.js';
export type { TuneLmOptions, TuneLmResult, TuneLmMemberResult } from './ensemble/tune-lm.js';
export { ConfidenceCache, sha256File } from './ensemble/cache.js';
