import { type ConfidenceSpec } from '../confidence/index.js';
import { Selector, type SelectorJSON } from '../selector/index.js';
export declare const ENSEMBLE_FORMAT = "ctc-ensemble";
export declare const ENSEMBLE_SCHEMA_VERSION = 1;
export declare const ENSEMBLE_FILE = "ensemble.json";
/** Default LM weights when a member has an LM but no `lm_alpha` / `lm_beta` (pyctcdecode's). */
export declare const DEFAULT_LM_ALPHA: 0.5;
export declare const DEFAULT_LM_BETA: 1.5;
export interface EnsembleLmJson {
    /** Relative to the ensemble folder. */
    path: string;
    alpha: number;
    beta: number;
    /** How alpha/beta were set: the YAML, defaults, or `ensemble tune-lm` (with its dev WER). */
    source?: 'config' | 'default' | 'tune-lm';
    tuning?: {
        devWer: number;
        greedyWer: number;
        utterances: number;
        alphas: number[];
        betas: number[];
        beam: number;
    };
}
export interface EnsembleModelJson {
    name: string;
    /** Model folder, relative to the ensemble folder. */
    path: string;
    /** sha256 of the model's ONNX file. */
    sha256: string;
    onnxFile: string;
    layout: string;
    blankId: number;
    vocabSize: number;
    sampleRate: number;
    lm: EnsembleLmJson | null;
    /** Manifests it was built from (relative to the ensemble folder); the dev manifest is what tune-lm uses. */
    /** null for ensembles imported from NeMo (`ensemble import-nemo`). */
    trainingManifest: string | null;
    devManifest: string | null;
    /**
     * Labelled test manifest (YAML `test_manifest`, relative to the ensemble folder) that `ensemble eval` uses
     * when no `--test` is given; null when absent. Missing in files written before it existed (read as null).
     */
    testManifest?: string | null;
}
export interface TrainingReport {
    config: string | null;
    randomSeed: number;
    /** Training utterances per member (class), after subsampling. */
    utterancesPerClass: Record<string, number>;
    devUtterancesPerClass: Record<string, number> | null;
    trainAccuracy: number;
    devAccuracy: number | null;
    /** Confusion matrices: rows = true member, columns = chosen member. */
    trainConfusion: number[][];
    devConfusion: number[][] | null;
    tuneConfidence: boolean;
    tuneLogisticRegression: boolean;
    /** The chosen confidence spec and LR settings. */
    chosen: {
        confidence: ConfidenceSpec;
        confidenceDescription: string;
        C: number;
        multiClass: 'multinomial' | 'ovr';
        classWeight: 'balanced' | null;
    };
    /** With confidence tuning: number of specs tried and the best dev accuracy of each (grid order). */
    specsTried?: number;
    specScores?: number[];
    /** Selector inputs when more than the confidences (YAML `selector.features`). */
    selectorFeatures?: string[];
    /** YAML `selector.calibration: temperature`: the fitted temperature and the dev NLL before/after. */
    calibration?: {
        method: 'temperature';
        temperature: number;
        devNllBefore: number;
        devNllAfter: number;
    };
    modelPasses: number;
    cachedPasses: number;
    buildSeconds: number;
}
export interface EnsembleJson {
    format: typeof ENSEMBLE_FORMAT;
    schemaVersion: number;
    createdAt: string;
    models: EnsembleModelJson[];
    confidence: ConfidenceSpec;
    temperature: number;
    selector: SelectorJSON;
    training: TrainingReport | null;
    /** The selector was trained on the first S seconds of each utterance (YAML `early_route_seconds`); absent: whole. */
    earlyRouteSeconds?: number | null;
    /** Default floor of the early-routing cascade (YAML `early_route_min_prob`, 0 to 1); absent: `EARLY_ROUTE_DEFAULTS`. */
    earlyRouteMinProb?: number;
}
export declare function toPosixRelative(from: string, to: string): string;
export declare function resolveFrom(dir: string, p: string): string;
/** Read and validate `DIR/ensemble.json`. */
export declare function readEnsembleJson(dir: string): Promise<{
    json: EnsembleJson;
    selector: Selector;
    file: string;
}>;
export declare function writeEnsembleJson(dir: string, json: EnsembleJson): Promise<string>;
