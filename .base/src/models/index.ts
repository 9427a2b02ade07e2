// ctc-ensemble/models: ONNX CTC model folders (NeMo, sherpa-onnx, Hugging Face wav2vec2 layouts).
export type { CtcModel, Logprobs, ModelLayout, TokenizerInfo, FrontEndConfig, ModelFeatures } from './types.js';
export { loadCtcModel, computeModelFeatures, ortSessionOptions, GRAPH_OPTIMIZATION_LEVELS, EXECUTION_MODES, detectLayout, parseTokensTxt, logSoftmaxRows, nemoEncodedLength, convEncodedLength } from './load.js';
export type { LoadModelOptions, OrtSettings, NemoModelConfigJson, LoadedCtcModel } from './load.js';
export { byteFallbackValue } from './tokens.js';
export { argmaxPerFrame, ctcCollapse } from './greedy.js';
export { readOnnxModelInfo, type OnnxModelInfo, type OnnxValueInfo } from './onnx-proto.js';
