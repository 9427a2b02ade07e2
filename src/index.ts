/**
 * ctc-ensemble: what a user calls. Load audio and models, build and run an ensemble, serve it, evaluate it,
 * build and load LMs. Specialist parts have subpath exports: `ctc-ensemble/audio`, `/features`, `/models`,
 * `/confidence`, `/selector`, `/lm`, `/decoding`, `/segment`, `/ensemble`, `/runtime`, `/server`, `/eval`, `/batch`.
 */
export { UserError, isUserError } from './util/errors.js';
export { DECODING_DEFAULTS, SERVING_DEFAULTS, RUNTIME_DEFAULTS, EARLY_ROUTE_DEFAULTS } from './defaults.js';
export { loadAudio } from './audio/load.js';
export { loadCtcModel, type LoadModelOptions } from './models/load.js';
export type { CtcModel, Logprobs } from './models/types.js';
export { computeConfidence, DEFAULT_CONFIDENCE_SPEC, type ConfidenceSpec } from './confidence/index.js';
export { Selector, trainSelector, type SelectorJSON } from './selector/index.js';
export { loadLanguageModel, ArpaModel, type LanguageModelScorer, type LmLoadOptions, type LmLoadMethod } from './lm/index.js';
export { buildFromCorpus as buildLanguageModel } from './lm/estimate.js';
export { greedyDecode } from './decoding/greedy.js';
export { prefixBeamSearch, decodeWithLm, type BeamSearchOptions } from './decoding/prefix-beam-search.js';
export { Ensemble, type EnsembleLoadOptions } from './ensemble/ensemble.js';
export type { TranscribeOptions, EnsembleResult, SegmentResult } from './ensemble/types.js';
export type { LongFormOptions, LongFormResult, RouteMode } from './ensemble/longform.js';
export { buildEnsemble, type BuildOptions, type BuildResult } from './ensemble/build.js';
export { DomainGate, DOMAIN_GATE_FILE, type DomainGateJSON, type DomainGateDecision } from './ensemble/domain-gate.js';
export { buildDomainGate, addDomainGate, type DomainGateBuildOptions } from './ensemble/domain-gate-build.js';
export { tuneLm, type TuneLmOptions, type TuneLmResult } from './eval/tune-lm.js';
export { importNemoEnsemble, type ImportNemoOptions, type ImportNemoResult } from './ensemble/import-nemo.js';
export { loadManifest } from './ensemble/manifest.js';
export { transcribeEntry, manifestRecord } from './ensemble/records.js';
export { WorkerPoolEnsemble } from './runtime/worker-pool.js';
export { startServer, type ServerOptions, type RunningServer } from './server/server.js';
export { createApp } from './server/app.js';
export { evaluate, type EvalReport, type TestSet } from './eval/evaluate.js';
export { writeReports } from './eval/report.js';
export { submitBatch, batchStatus, collectBatch, BatchWorker } from './batch/index.js';
