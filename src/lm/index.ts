import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { readArpaFile, type ArpaReadOptions } from './arpa.js';
import { isBinaryLm, readBinaryModel } from './binary.js';
import type { ArpaModel } from './model.js';
import type { LmLoadMethod } from './constants.js';

export type { LanguageModelScorer } from './types.js';
export { Vocabulary } from './vocab.js';
export { ArpaModel, emptyTextScoreTotals, type LmTables, type WordScore, type SentenceScore, type TextScoreTotals } from './model.js';
export { parseArpa, readArpaFile, KENLM_MAX_ORDER, UNKNOWN_MISSING_LOG10, type ArpaReadOptions } from './arpa.js';
export { loadSharedLmBuffer, modelFromSharedBuffer } from './shared.js';
export { buildFromCorpus, estimate, parsePruneThresholds, type EstimateOptions, type EstimateResult, type EstimatedModel } from './estimate.js';
export { buildArpa } from './build.js';
export { writeArpa } from './arpa-write.js';
export { NgramCounter } from './count.js';
export { DEFAULT_FALLBACK, DEFAULT_BUILD_MEMORY, DEFAULT_LM_LOAD, LM_LOAD_METHODS, type LmLoadMethod } from './constants.js';
export type { Discount } from './discount.js';
export { serializeModel, deserializeModel, writeBinaryModel, readBinaryModel, isBinaryLm, BINARY_VERSION } from './binary.js';

/** Options of loadLanguageModel: the ARPA reader's, and how a compiled file is loaded (constants.ts). */
export interface LmLoadOptions extends Omit<ArpaReadOptions, 'fileName'> {
  /** Compiled files only: `lazy` (default) returns before the n-gram tables are read, `read` after. */
  load?: LmLoadMethod;
}

/**
 * Load an LM from an ARPA file (read in chunks, parsed from its bytes) or a compiled binary (detected by its
 * magic bytes; used in place, read lazily or in full as `options.load` says).
 */
export async function loadLanguageModel(path: string, options: LmLoadOptions = {}): Promise<ArpaModel> {
  let head: Uint8Array;
  try {
    head = readHead(path);
  } catch (e) {
    throw new UserError(`cannot read the language model: ${(e as Error).message}`, { source: path, cause: e });
  }
  if (isBinaryLm(head)) return readBinaryModel(path, options.load);
  return readArpaFile(path, options);
}

/** The first 8 bytes of a file (fewer when it is shorter); synchronous, as it is three short system calls. */
function readHead(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(8);
    return head.subarray(0, readSync(fd, head, 0, 8, 0));
  } finally {
    closeSync(fd);
  }
}
