import type { CtcModel } from '../models/types.js';
export declare const CACHE_VERSION = 1;
export interface CacheEntry {
    v: number;
    /** Valid (trimmed) output frames of the utterance. */
    frames: number;
    /** specKey → confidence. */
    conf: Record<string, number>;
}
/** sha256 (hex) of a file, streamed; memoised per path + size + mtime. */
export declare function sha256File(file: string): Promise<string>;
export declare function sha256Bytes(bytes: Uint8Array | string): string;
/** The ONNX file of a model folder (the model's own `onnxFile` when it exposes one). */
export declare function onnxFileOf(model: CtcModel): string;
export declare function modelFingerprint(model: CtcModel, onnxSha256: string, temperature: number): string;
export declare class ConfidenceCache {
    readonly dir: string | null;
    constructor(dir: string | null);
    private file;
    /** The entry when it exists and holds every key in `needed`; null otherwise. */
    get(fingerprint: string, audioSha: string, needed: readonly string[]): Promise<CacheEntry | null>;
    put(fingerprint: string, audioSha: string, entry: CacheEntry): Promise<void>;
}
