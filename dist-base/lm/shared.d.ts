import { type ArpaReadOptions } from './arpa.js';
import type { ArpaModel } from './model.js';
/** Read an LM (ARPA or compiled) into a SharedArrayBuffer in the compiled layout. */
export declare function loadSharedLmBuffer(file: string, options?: Omit<ArpaReadOptions, 'fileName'>): Promise<SharedArrayBuffer>;
/** A model over a buffer from loadSharedLmBuffer (no copy: its tables are views of `buffer`). */
export declare function modelFromSharedBuffer(buffer: SharedArrayBuffer, fileName?: string): ArpaModel;
