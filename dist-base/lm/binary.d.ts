import { ArpaModel } from './model.js';
/**
 * Compiled LM file (`ensemble lm compile`): the typed arrays of an ArpaModel laid out so that loading is
 * one read plus typed-array views (no parsing, no rehashing, no JS string per word: the vocabulary is its
 * UTF-8 bytes and their hash table, used in place). Little endian, every section 8-byte aligned.
 *
 *   0  magic "CTCENSLM" (8 bytes)
 *   8  u32 format version (2)
 *  12  u32 order N
 *  16  u32 vocabulary size V (incl. <unk>)
 *  20  u32 byte length of the vocabulary bytes (UTF-8 words concatenated, id order)
 *  24  u32 number of warnings, u32 byte length of the warnings blob (UTF-8 joined by '\n')
 *  32  u32 slots of the vocabulary hash table, u32 0
 *  40  per order k = 1..N: u32 declared count, u32 stored entries, u32 capacity (V for k = 1)
 *  then sections: uniProb f32[V], uniBackoff f32[V], vocabulary offsets u32[V+1], vocabulary hash table
 *  u32[2·slots] ([hash, id] pairs, vocab.ts), vocabulary bytes, warnings blob,
 *  per k = 2..N: entries u32[stride·cap] ([suffix slot, first word, prob f32, backoff f32], stride 4;
 *  stride 3 without backoff for k = N) — exactly the in-memory tables of model.ts
 *
 * Version 1 (a '\n'-joined word list instead of the vocabulary table, n-gram slots hashed from the suffix
 * slot) is refused with a hint to run `ensemble lm compile` again: its tables cannot be used in place.
 */
export declare const BINARY_VERSION = 2;
export declare function isBinaryLm(head: Uint8Array): boolean;
/** The compiled file's bytes, in a new buffer or in one `allocate` returns (e.g. over a SharedArrayBuffer). */
export declare function serializeModel(model: ArpaModel, allocate?: (byteLength: number) => Uint8Array): Uint8Array;
/** Build a model over the bytes of a compiled file (typed-array views, no copy when aligned). */
export declare function deserializeModel(bytes: Uint8Array, fileName?: string): ArpaModel;
/** Write the compiled file section by section (no second copy of the model in memory), atomically. */
export declare function writeBinaryModel(model: ArpaModel, file: string): Promise<number>;
export declare function readBinaryModel(file: string): Promise<ArpaModel>;
/**
 * The file in one buffer, read with as few calls as the kernel allows into memory that is not zero-filled
 * first (fs.readFile reads in 512 KiB steps into a zeroed buffer): a compiled LM's load time is this read.
 */
export declare function readWholeFile(file: string): Promise<Uint8Array>;
