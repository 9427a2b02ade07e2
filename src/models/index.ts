// ctc-ensemble/models: ONNX CTC model folders (NeMo, sherpa-onnx, Hugging Face wav2vec2 layouts).
export type { CtcModel, Logprobs, ModelLayout, TokenizerInfo, FrontEndConfig, ModelFeatures } from './types.js';
export { loadCtcModel, detectLayout, parseTokensTxt, logSoftmaxRows, nemoEncodedLength, convEncodedLength } from './load.js';
export type { LoadModelOptions, NemoModelConfigJson, LoadedCtcModel } from './load.js';
export { argmaxPerFrame, ctcCollapse } from './greedy.js';
export { readOnnxModelInfo, type OnnxModelInfo, type OnnxValueInfo } from './onnx-proto.js';
