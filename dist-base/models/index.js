export { loadCtcModel, computeModelFeatures, ortSessionOptions, GRAPH_OPTIMIZATION_LEVELS, EXECUTION_MODES, detectLayout, parseTokensTxt, logSoftmaxRows, nemoEncodedLength, convEncodedLength } from './load.js';
export { byteFallbackValue } from './tokens.js';
export { argmaxPerFrame, ctcCollapse } from './greedy.js';
export { readOnnxModelInfo } from './onnx-proto.js';
//# sourceMappingURL=index.js.map