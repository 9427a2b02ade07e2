import { promises as fs } from 'node:fs';
import { UserError } from '../util/errors.js';
import { parseArpa, type ArpaReadOptions } from './arpa.js';
import { deserializeModel, isBinaryLm } from './binary.js';
import type { ArpaModel } from './model.js';

export type { LanguageModelScorer } from './types.js';
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
 * Load an LM from an ARPA file or a compiled binary (detected by its magic bytes). The file is read once.
 */
export async function loadLanguageModel(path: string, options: Omit<ArpaReadOptions, 'fileName'> = {}): Promise<ArpaModel> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new UserError(`cannot read the language model: ${(e as Error).message}`, { source: path, cause: e });
  }
  if (isBinaryLm(bytes)) return deserializeModel(bytes, path);
  return parseArpa(bytes.toString('utf8'), { ...options, fileName: path });
}
