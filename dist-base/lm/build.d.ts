import { type EstimateOptions } from './estimate.js';
import type { Discount } from './discount.js';
export interface BuildOptions extends EstimateOptions {
    /** Memory budget in bytes (parseMemorySize). */
    memoryBytes?: number;
    /** Folder for the spill files (default: the OS temp folder). */
    tempDir?: string;
}
export interface BuildResult {
    sentences: number;
    tokens: number;
    vocabularySize: number;
    counts: number[];
    discounts: Discount[];
    /** True when counting outgrew the budget and estimation went through disk. */
    spilled: boolean;
}
/**
 * A size as lmplz -S takes it: a number with a suffix b, K, M, G, T (powers of 1024; no suffix = K, as
 * lmplz and sort) or % of physical memory.
 */
export declare function parseMemorySize(text: string, totalMemory?: number): number;
/** Fail early, with the path, for a corpus that cannot be read (directory, missing, unreadable). */
export declare function checkReadableFile(file: string, what: string): Promise<void>;
/** Fail early, with the path, for an output that cannot be written (a directory, or a folder we cannot write in). */
export declare function checkWritableOutput(file: string): Promise<void>;
/** Count `corpus` (one sentence per line; "-" = stdin), estimate and write `output` as ARPA (atomically). */
export declare function buildArpa(corpus: string, output: string, options: BuildOptions & {
    fifoTimeoutMs?: number;
}): Promise<BuildResult>;
