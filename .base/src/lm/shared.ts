import { promises as fs } from 'node:fs';
import { UserError } from '../util/errors.js';
import { readArpaFile, type ArpaReadOptions } from './arpa.js';
import { deserializeModel, isBinaryLm, serializeModel } from './binary.js';
import type { ArpaModel } from './model.js';

/*
 * One LM in memory for every worker thread: the model in the compiled layout (binary.ts) in a
 * SharedArrayBuffer, which worker_threads pass by reference (workerData or postMessage). Each thread
 * builds an ArpaModel whose typed arrays — n-gram tables, unigrams and the vocabulary (its bytes and hash
 * table) — are views of that one buffer: the model exists once however many workers score with it, and a
 * thread adds only a few small objects.
 */

/** Read an LM (ARPA or compiled) into a SharedArrayBuffer in the compiled layout. */
export async function loadSharedLmBuffer(file: string, options: Omit<ArpaReadOptions, 'fileName'> = {}): Promise<SharedArrayBuffer> {
  let shared: SharedArrayBuffer | null = null;
  try {
    // a compiled file is read straight into shared memory and used as it is, with no other copy
    const fh = await fs.open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      const head = new Uint8Array(8);
      const { bytesRead } = await fh.read(head, 0, 8, 0);
      if (isBinaryLm(head.subarray(0, bytesRead))) {
        shared = new SharedArrayBuffer(size);
        const view = new Uint8Array(shared);
        for (let off = 0; off < size; ) {
          const { bytesRead } = await fh.read(view, off, size - off, off);
          if (bytesRead === 0) throw new Error(`file shrank while reading (${off} of ${size} bytes)`);
          off += bytesRead;
        }
      }
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new UserError(`cannot read the language model: ${(e as Error).message}`, { source: file, cause: e });
  }
  if (shared !== null) return shared;
  // an ARPA file is parsed and compiled once, straight into shared memory
  const compiled = serializeModel(await readArpaFile(file, options), (n) => new Uint8Array(new SharedArrayBuffer(n)));
  return compiled.buffer as SharedArrayBuffer;
}

/** A model over a buffer from loadSharedLmBuffer (no copy: its tables are views of `buffer`). */
export function modelFromSharedBuffer(buffer: SharedArrayBuffer, fileName = '<shared lm>'): ArpaModel {
  return deserializeModel(new Uint8Array(buffer), fileName);
}
