import { promises as fs } from 'node:fs';
import { UserError } from '../util/errors.js';
import { readArpaFile, type ArpaReadOptions } from './arpa.js';
import { isBinaryLm, readBinaryModel } from './binary.js';
import type { ArpaModel } from './model.js';

export type { LanguageModelScorer } from './types.js';
export { Vocabulary } from './vocab.js';
export { ArpaModel, emptyTextScoreTotals, type LmTables, type WordScore, type SentenceScore, type TextScoreTotals } from './model.js';
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
export async function loadLanguageModel(path: string, options: Omit<ArpaReadOptions, 'fileName'> = {}): Promise<ArpaModel> {
  let head: Uint8Array;
  try {
    head = await readHead(path);
  } catch (e) {
    throw new UserError(`cannot read the language model: ${(e as Error).message}`, { source: path, cause: e });
  }
  if (isBinaryLm(head)) return readBinaryModel(path);
  return readArpaFile(path, options);
}

/** The first 8 bytes of a file (fewer when it is shorter). */
async function readHead(path: string): Promise<Uint8Array> {
  const fh = await fs.open(path, 'r');
  try {
    const head = new Uint8Array(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
