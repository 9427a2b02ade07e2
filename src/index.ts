// Public API. Each capability exports from its own folder; the CLI and server are thin layers over this.
export { UserError, isUserError } from './util/errors.js';
export type { CtcModel, Logprobs, ModelLayout, TokenizerInfo, FrontEndConfig, ModelFeatures } from './models/types.js';
export type { LanguageModelScorer } from './lm/types.js';
// Word n-gram LMs (src/lm/): KenLM-exact ARPA reading and scoring, binary form, lmplz-exact estimation.
export * from './lm/index.js';
export { estimate as estimateKneserNey, buildFromCorpus as buildLanguageModel } from './lm/estimate.js';
export { writeArpa } from './lm/arpa-write.js';
export { NgramCounter } from './lm/count.js';
export { DEFAULT_FALLBACK } from './lm/constants.js';
export type { EstimateOptions, EstimateResult, EstimatedModel } from './lm/estimate.js';
export type { Discount } from './lm/discount.js';
export {
  computeConfidence,
  computeConfidenceGrid,
  applyTemperature,
  aggregateConfidence,
  frameConfidence,
  maxProbConfidence,
  gibbsEntropyConfidence,
  tsallisEntropyConfidence,
  renyiEntropyConfidence,
  DEFAULT_CONFIDENCE_SPEC,
  NEMO_TUNE_CONFIDENCE_DEFAULTS,
  validateConfidenceSpec,
  nemoTuningGrid,
  parseConfidenceType,
  confidenceKey,
  describeConfidenceSpec,
} from './confidence/index.js';
export type { ConfidenceSpec, ConfidenceAggregation, EntropyType, EntropyNorm, TuneConfidenceGridConfig, LogprobArray } from './confidence/index.js';
export {
  Selector,
  trainSelector,
  selectorAccuracy,
  importSklearnSelector,
  tuneSelector,
  tuneConfidenceAndSelector,
  featureMatricesFromGrids,
  nemoCGrid,
  nemoLrGrid,
  linspace,
  lbfgs,
  fitStandardScaler,
  SELECTOR_DEFAULTS,
  SELECTOR_FORMAT,
  NEMO_TUNE_LR_DEFAULTS,
} from './selector/index.js';
export type {
  SelectorJSON,
  SelectorTrainingInfo,
  TrainSelectorOptions,
  MultiClass,
  ClassWeight,
  TuneLogisticRegressionConfig,
  TuneSelectorResult,
  TuneConfidenceOptions,
  TuneConfidenceResult,
  LrSetting,
  LrTrial,
  LbfgsOptions,
  LbfgsResult,
  ScalerParams,
} from './selector/index.js';
export { decodeWav, encodeWav, mixToMono } from './audio/wav.js';
export type { DecodedWav, WavEncoding, EncodeWavOptions } from './audio/wav.js';
export { resample } from './audio/resample.js';
export type { ResampleOptions } from './audio/resample.js';
export { loadAudio, decodeAudio } from './audio/load.js';
export { nemoMelSpectrogram, nemoFrontEnd, slaneyMelFilterbank, nemoValidFrames } from './features/nemo-mel.js';
export type { Features, NemoFrontEndConfig } from './features/nemo-mel.js';
export { wav2vec2Normalize, wav2vec2Features } from './features/wav2vec2.js';
export { loadCtcModel, detectLayout, parseTokensTxt, logSoftmaxRows, nemoEncodedLength, convEncodedLength } from './models/load.js';
export type { LoadModelOptions, NemoModelConfigJson, LoadedCtcModel } from './models/load.js';
export { greedyDecode, argmaxPerFrame, ctcCollapse, tokensToText } from './models/greedy.js';
export { readOnnxModelInfo } from './models/onnx-proto.js';
export type { OnnxModelInfo, OnnxValueInfo } from './models/onnx-proto.js';
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
// CTC prefix beam search with word n-gram LM fusion (src/decoding/).
export { buildAlphabet, greedyTranscript, TokenRole, UNK_TEXT } from './decoding/alphabet.js';
export type { Alphabet, AlphabetOptions, VocabularyKind } from './decoding/alphabet.js';
export { prefixBeamSearch, decodeWithLm, CtcBeamSearchDecoder, decoderFor, alphabetFor } from './decoding/prefix-beam-search.js';
export type { BeamSearchOptions, DecodedBeam, DecodeWithLmOptions } from './decoding/prefix-beam-search.js';
// HTTP service (`ensemble serve`) and evaluation (`ensemble eval`): src/server/, src/eval/.
export { createApp, parseTranscribeQuery } from './server/app.js';
export type { Transcriber, AppOptions, EnsembleApp, ServiceControl, LoadState } from './server/app.js';
export { startServer } from './server/server.js';
export type { ServerOptions, RunningServer } from './server/server.js';
export { renderPage } from './server/page.js';
export { summarizeEnsemble } from './server/summary.js';
export type { EnsembleSummary } from './server/summary.js';
export { normalizeText, align, wordErrors, charErrors, errorRate, addCounts, zeroCounts, wer, cer } from './eval/wer.js';
export type { ErrorCounts, Alignment, AlignOp } from './eval/wer.js';
export { confusionMatrix, accuracyFromConfusion, reliability, oracleChoice } from './eval/metrics.js';
export type { ClassAccuracy, Reliability, ReliabilityBin } from './eval/metrics.js';
export { evaluate, scoreSystems, scoreSelection, confidenceSummaries } from './eval/evaluate.js';
export type { EvalTranscriber, TestSet, EvaluateOptions, EvalReport, UtteranceRecord, RateCell, SystemResult, ConfidenceSummary } from './eval/evaluate.js';
export { renderMarkdown, renderHtml, writeReports } from './eval/report.js';
export { WorkerPoolEnsemble, workerPoolAvailable } from './eval/worker-pool.js';
export type { WorkerPoolEvent, WorkerPoolOptions } from './eval/worker-pool.js';
