import { promises as fs } from 'node:fs';
import { UserError } from '../util/errors.js';
import { parseArpa, type ArpaReadOptions } from './arpa.js';
import { deserializeModel, isBinaryLm, serializeModel } from './binary.js';
import type { ArpaModel } from './model.js';

/*
 * One LM in memory for every worker thread: the model's tables in the compiled layout (binary.ts) in a
 * SharedArrayBuffer, which worker_threads pass by reference (workerData or postMessage). Each thread
 * builds an ArpaModel whose typed arrays are views of that one buffer: the n-gram tables exist once
 * however many workers score with them; only the word → id map is per thread.
 */

/** Read an LM (ARPA or compiled) into a SharedArrayBuffer in the compiled layout. */
export async function loadSharedLmBuffer(file: string, options: Omit<ArpaReadOptions, 'fileName'> = {}): Promise<SharedArrayBuffer> {
  let shared: SharedArrayBuffer;
  try {
    // read straight into shared memory: a compiled file is used as it is, with no other copy
    const fh = await fs.open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      shared = new SharedArrayBuffer(size);
      const view = new Uint8Array(shared);
      for (let off = 0; off < size; ) {
        const { bytesRead } = await fh.read(view, off, size - off, off);
        if (bytesRead === 0) throw new Error(`file shrank while reading (${off} of ${size} bytes)`);
        off += bytesRead;
      }
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new UserError(`cannot read the language model: ${(e as Error).message}`, { source: file, cause: e });
  }
  const bytes = new Uint8Array(shared);
  if (isBinaryLm(bytes)) return shared;
  const compiled = serializeModel(parseArpa(Buffer.from(shared).toString('utf8'), { ...options, fileName: file }));
  const out = new SharedArrayBuffer(compiled.byteLength);
  new Uint8Array(out).set(compiled);
  return out;
}

/** A model over a buffer from loadSharedLmBuffer (no copy: its tables are views of `buffer`). */
export function modelFromSharedBuffer(buffer: SharedArrayBuffer, fileName = '<shared lm>'): ArpaModel {
  return deserializeModel(new Uint8Array(buffer), fileName);
}
