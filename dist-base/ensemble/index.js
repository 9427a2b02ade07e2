// ctc-ensemble/ensemble: build (NeMo build_ensemble.py YAML), load and transcribe, LM weight tuning, manifests.
export { Ensemble } from './ensemble.js';
export { LongFormTranscriber } from './longform.js';
export { summarizeEnsemble } from './summary.js';
export { buildEnsemble, buildEnsembleFromConfig, resolveOutputDir } from './build.js';
export { parseBuildConfig, loadBuildConfig, checkConfigFiles, tuningGridSpecs, parseConfidenceBlock } from './config.js';
export { parseOverride, parseOverrideValue, applyOverrides } from './hydra-overrides.js';
export { importNemoEnsemble } from './import-nemo.js';
export { loadManifest, parseManifest, parseManifestLine, subsampleManifest, checkAudioFiles } from './manifest.js';
export { readEnsembleJson, writeEnsembleJson, ENSEMBLE_FILE, ENSEMBLE_FORMAT, ENSEMBLE_SCHEMA_VERSION } from './format.js';
export { DecodedAudio } from './runner.js';
export { checkEnsembleFiles, checkLanguageModelFiles, verifyModelChecksums } from './verify.js';
export { resultRecord, segmentRecord, manifestRecord, transcribeEntry, entryFields, failedRecord } from './records.js';
//# sourceMappingURL=index.js.map