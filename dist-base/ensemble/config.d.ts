import { type ConfidenceSpec } from '../confidence/index.js';
import { type SelectorFeatureGroup } from '../selector/features.js';
export type Aggregation = ConfidenceSpec['aggregation'];
export type MultiClass = 'ovr' | 'multinomial';
export type ClassWeight = 'balanced' | null;
/** One `ensemble:` entry, paths resolved against the YAML's folder. */
export interface EnsembleMemberConfig {
    index: number;
    /** Display name: `name`, or the model folder's basename (made unique with `-2`, `-3`, …). */
    name: string;
    /** Absolute path of the model folder (an ONNX export). */
    model: string;
    trainingManifest: string;
    devManifest: string | null;
    maxTrainingSamples: number;
    /** Absolute path of the member's n-gram LM (ARPA or compiled binary), or null. */
    lm: string | null;
    lmAlpha: number | null;
    lmBeta: number | null;
    /** Absolute path of the member's labelled test manifest (`test_manifest`, ours; used by `ensemble eval`), or null. */
    testManifest: string | null;
}
export interface TuneConfidenceConfig {
    excludeBlank: boolean[];
    aggregation: Aggregation[];
    /** NeMo names, normalised: `max_prob` or `entropy_{gibbs|tsallis|renyi}_{lin|exp}`. */
    confidenceType: string[];
    alpha: number[];
}
export interface TuneLogisticRegressionConfig {
    cNumPoints: number;
    cMin: number;
    cMax: number;
    multiClass: MultiClass[];
    classWeight: ClassWeight[];
    maxIter: number;
}
/** The keys of NeMo's `transcription:` block that this runtime acts on; the others are accepted and ignored. */
export interface TranscriptionSettings {
    /** Manifest key of the audio path (`audio_key`, default `audio_filepath`). */
    audioKey: string;
    /** Manifest key of the reference text (`gt_text_attr_name`, default `text`). */
    textKey: string;
    /**
     * NeMo `channel_selector`: null or 'average' mixes all channels; a channel index (0-based) or a list of
     * indices selects (a list of several is then averaged, as the mono models need one signal).
     */
    channelSelector: ChannelSelector;
}
export type ChannelSelector = null | 'average' | number | number[];
export interface BuildConfig {
    /** Absolute path of the YAML file (or '<string>'). */
    file: string;
    /** Folder relative paths resolve against. */
    baseDir: string;
    /** Absolute output path as written in the YAML (`output_path`), or null when absent. */
    outputPath: string | null;
    ensemble: EnsembleMemberConfig[];
    randomSeed: number;
    temperature: number;
    confidence: ConfidenceSpec;
    tuneConfidence: boolean;
    tuneConfidenceConfig: TuneConfidenceConfig;
    /** After NeMo's `__post_init__`: forced to false when there is no dev data. */
    tuneLogisticRegression: boolean;
    tuneLogisticRegressionConfig: TuneLogisticRegressionConfig;
    transcription: TranscriptionSettings;
    /**
     * `early_route_seconds` (beyond NeMo): the selector is trained on confidences of the first S seconds of each
     * utterance, and inference routes on the first S seconds by default (`Ensemble.transcribe`). null: whole utterances.
     */
    earlyRouteSeconds: number | null;
    /**
     * `early_route_min_prob` (beyond NeMo, 0 to 1): the default floor of the early-routing cascade, an inference
     * setting only (the selector does not depend on it). null: `EARLY_ROUTE_DEFAULTS.minProbability`.
     */
    earlyRouteMinProb: number | null;
    /** `selector:` (beyond NeMo): the selector's inputs (default `[confidence]`, NeMo's) and its probability calibration. */
    selector: SelectorSettings;
    /** Things accepted but ignored or rewritten (old NeMo spellings), worth telling the user. */
    notes: string[];
}
export interface SelectorSettings {
    /** Feature groups in canonical order (selector/features.ts); `['confidence']` is NeMo's selector. */
    features: SelectorFeatureGroup[];
    /** 'temperature': fit a probability temperature on the dev sets (selector/calibration.ts); null: none (NeMo). */
    calibration: 'temperature' | null;
}
export interface ParseOptions {
    /** Path of the YAML file (for messages and for resolving relative paths). */
    file?: string;
    /** Environment for `${oc.env:…}` (default process.env). */
    env?: Record<string, string | undefined>;
    /** Hydra command-line overrides (`ensemble.0.model=…`, `+key=…`, `~key`), applied in order. */
    overrides?: readonly string[];
    /** Working directory: relative paths set by overrides resolve against it, as in NeMo (default process.cwd()). */
    cwd?: string;
}
export declare const DEFAULT_CONFIDENCE: Readonly<ConfidenceSpec>;
export declare const DEFAULT_TUNE_CONFIDENCE: TuneConfidenceConfig;
export declare const DEFAULT_TUNE_LR: TuneLogisticRegressionConfig;
/** Parse and validate a build config from YAML text. Paths are resolved but not checked on disk. */
export declare function parseBuildConfig(text: string, options?: ParseOptions): BuildConfig;
/** Read, parse and validate a build config; also checks that every referenced file exists (all listed at once). */
export declare function loadBuildConfig(file: string | null, options?: Omit<ParseOptions, 'file'> & {
    checkFiles?: boolean;
}): Promise<BuildConfig>;
/** Every model folder, manifest and LM named by the config must exist; all problems are listed in one error. */
export declare function checkConfigFiles(cfg: BuildConfig): void;
/** The NeMo-ordered list of confidence specs of the config's tuning grid (144 by default). */
export declare function tuningGridSpecs(t: TuneConfidenceConfig): ConfidenceSpec[];
/** Canonical string of a spec (cache keys, reports): `eb1|mean|entropy_renyi_lin|0.25`. */
export declare function specKey(s: ConfidenceSpec): string;
/**
 * A NeMo `ConfidenceConfig` block on its own (any version's spelling, e.g. the `confidence:` of a
 * ConfidenceEnsembleModel's model_config.yaml), merged onto the ensemble defaults.
 */
export declare function parseConfidenceBlock(value: unknown, source: string, keyPath?: string): {
    spec: ConfidenceSpec;
    notes: string[];
};
