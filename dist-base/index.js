/**
 * ctc-ensemble: what a user calls. Load audio and models, build and run an ensemble, serve it, evaluate it,
 * build and load LMs. Specialist parts have subpath exports: `ctc-ensemble/audio`, `/features`, `/models`,
 * `/confidence`, `/selector`, `/lm`, `/decoding`, `/segment`, `/ensemble`, `/runtime`, `/server`, `/eval`, `/batch`.
 */
export { UserError, isUserError } from './util/errors.js';
export { DECODING_DEFAULTS, SERVING_DEFAULTS, RUNTIME_DEFAULTS, EARLY_ROUTE_DEFAULTS } from './defaults.js';
export { loadAudio } from './audio/load.js';
export { loadCtcModel } from './models/load.js';
export { computeConfidence, DEFAULT_CONFIDENCE_SPEC } from './confidence/index.js';
export { Selector, trainSelector } from './selector/index.js';
export { loadLanguageModel, ArpaModel } from './lm/index.js';
export { buildFromCorpus as buildLanguageModel } from './lm/estimate.js';
export { greedyDecode } from './decoding/greedy.js';
export { prefixBeamSearch, decodeWithLm } from './decoding/prefix-beam-search.js';
export { Ensemble } from './ensemble/ensemble.js';
export { buildEnsemble } from './ensemble/build.js';
export { tuneLm } from './eval/tune-lm.js';
export { importNemoEnsemble } from './ensemble/import-nemo.js';
export { loadManifest } from './ensemble/manifest.js';
export { transcribeEntry, manifestRecord } from './ensemble/records.js';
export { WorkerPoolEnsemble } from './runtime/worker-pool.js';
export { startServer } from './server/server.js';
export { createApp } from './server/app.js';
export { evaluate } from './eval/evaluate.js';
export { writeReports } from './eval/report.js';
export { submitBatch, batchStatus, collectBatch, BatchWorker } from './batch/index.js';
//# sourceMappingURL=index.js.map