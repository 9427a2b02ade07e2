import * as ort from 'onnxruntime-node';
import type { NemoFraming } from '../features/types.js';
import type { CtcModel, FrontEndConfig, ModelFeatures, ModelLayout } from './types.js';
/** The ONNX Runtime session settings that matter for CTC inference on CPU (defaults: `RUNTIME_DEFAULTS`). */
export interface OrtSettings {
    /** Threads one operator may use. */
    intraOpThreads?: number;
    /** Threads for independent graph branches (only with executionMode 'parallel'). */
    interOpThreads?: number;
    graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
    executionMode?: 'sequential' | 'parallel';
}
export declare const GRAPH_OPTIMIZATION_LEVELS: readonly ["disabled", "basic", "extended", "all"];
export declare const EXECUTION_MODES: readonly ["sequential", "parallel"];
/** `OrtSettings` (missing fields from `RUNTIME_DEFAULTS`) as ONNX Runtime session options; bad values are UserErrors. */
export declare function ortSessionOptions(settings?: OrtSettings): ort.InferenceSession.SessionOptions;
export interface LoadModelOptions {
    /**
     * NeMo STFT framing when the folder does not say (model_config.json `preprocessor.framing` or
     * `preprocessor.nemo_version`). Default 'reflect' (every NeMo release up to 2.4.x).
     */
    framing?: NemoFraming;
    /** Session settings (threads, graph optimisation, execution mode); defaults `RUNTIME_DEFAULTS`. */
    ort?: OrtSettings;
    /** Raw options for `ort.InferenceSession.create`, applied over `ort`. */
    sessionOptions?: ort.InferenceSession.SessionOptions;
}
/** What `loadCtcModel` returns: a CtcModel whose optional split members are always present. */
export type LoadedCtcModel = CtcModel & Required<Pick<CtcModel, 'onnxFile' | 'computeFeatures' | 'runFeatures'>>;
/** The NeMo-layout `model_config.json` schema (also written by the demo-model training scripts). */
export interface NemoModelConfigJson {
    layout?: 'nemo';
    vocabulary?: string[];
    preprocessor?: {
        sample_rate?: number;
        features?: number;
        window_size?: number;
        window_stride?: number;
        n_fft?: number | null;
        preemph?: number | null;
        normalize?: string;
        /** 'reflect' | 'zero-pad' (ours); or the NeMo version the model was trained with (≤ 2.4.x reflect, ≥ 2.5 zero-pad). */
        framing?: string;
        nemo_version?: string;
    };
    subsampling_factor?: number;
    /** NeMo's `tokenizer.type` ('bpe' SentencePiece, 'wpe' WordPiece) or 'char'. */
    tokenizer?: 'bpe' | 'wpe' | 'char';
}
/** ONNX file names a model folder may hold, in order of preference (sherpa-onnx ships `model.int8.onnx`). */
export declare const ONNX_NAMES: readonly ["model.onnx", "model.int8.onnx"];
/** Which loader applies to a model folder (by its files), or a UserError saying what was expected. */
export declare function detectLayout(dir: string): ModelLayout;
/**
 * sherpa-style tokens.txt, read as sherpa-onnx's `ReadTokens` does: "<symbol> <id>" per line, fields separated
 * by any whitespace (spaces or tabs); a line holding only an id (GigaAM writes " 0") is the space symbol.
 */
export declare function parseTokensTxt(text: string, file: string): {
    tokens: string[];
    blankId: number | undefined;
};
/** NeMo `calc_length` repeated log2(factor) times (kernel 3, stride 2, padding 1); else ceil(L/factor). */
export declare function nemoEncodedLength(frames: number, subsamplingFactor: number): number;
/** wav2vec2 conv feature encoder length: L ← floor((L − k)/s) + 1 per layer. */
export declare function convEncodedLength(samples: number, kernels: readonly number[], strides: readonly number[]): number;
/** log_softmax over each row of `data` [frames][V] after dividing by `temperature`. */
export declare function logSoftmaxRows(data: Float32Array, frames: number, V: number, temperature?: number): Float32Array;
/** True when row 0 of `data` holds natural-log probabilities (exp-sum 1 within float32 rounding). */
export declare function isLogProbRow(data: Float32Array, V: number): boolean;
/** A model's front end on mono samples at `frontEnd.sampleRate` (what `CtcModel.computeFeatures` returns). */
export declare function computeModelFeatures(frontEnd: FrontEndConfig, samples: Float32Array): ModelFeatures;
/**
 * Load a CTC model folder: a NeMo export (model.onnx + model_config.json and/or tokens.txt), the
 * sherpa-onnx NeMo CTC layout (model.onnx + tokens.txt + metadata_props) or a Hugging Face wav2vec2
 * export (model.onnx + vocab.json + preprocessor_config.json + tokenizer_config.json/config.json).
 */
export declare function loadCtcModel(dir: string, options?: LoadModelOptions): Promise<LoadedCtcModel>;
