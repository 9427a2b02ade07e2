import { type ArpaReadOptions } from './arpa.js';
import type { ArpaModel } from './model.js';
export type { LanguageModelScorer } from './types.js';
export { Vocabulary } from './vocab.js';
export { ArpaModel, type LmTables, type WordScore, type SentenceScore } from './model.js';
export { parseArpa, readArpaFile, KENLM_MAX_ORDER, UNKNOWN_MISSING_LOG10, type ArpaReadOptions } from './arpa.js';
export { loadSharedLmBuffer, modelFromSharedBuffer } from './shared.js';
export { buildFromCorpus, estimate, parsePruneThresholds, type EstimateOptions, type EstimateResult, type EstimatedModel } from './estimate.js';
export { buildArpa } from './build.js';
export { writeArpa } from './arpa-write.js';
export { NgramCounter } from './count.js';
export { DEFAULT_FALLBACK, DEFAULT_BUILD_MEMORY } from './constants.js';
export type { Discount } from './discount.js';
export { serializeModel, deserializeModel, writeBinaryModel, readBinaryModel, isBinaryLm, BINARY_VERSION } from './binary.js';
/**
 * Load an LM from an ARPA file (read in chunks, parsed from its bytes) or a compiled binary (detected by its
 * magic bytes; read once and used in place).
 */
export declare function loadLanguageModel(path: string, options?: Omit<ArpaReadOptions, 'fileName'>): Promise<ArpaModel>;
