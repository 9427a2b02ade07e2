import { type EnsembleJson } from './format.js';
export interface EnsembleCheckOptions {
    /** Warn instead of refusing when a member's ONNX file no longer has its recorded sha256. */
    allowChangedModels?: boolean;
    /** Check that every member LM file is present and readable. */
    requireLms?: boolean;
    /** Where warnings go (default: stderr, one line each). */
    warn?: (line: string) => void;
}
export declare const CHECKSUM_CACHE_FILE: string;
/** Compare each member's ONNX file with its recorded sha256 (members without one, or without the file, are left to the loader). */
export declare function verifyModelChecksums(dir: string, json: EnsembleJson, options?: EnsembleCheckOptions): Promise<void>;
/** Every member LM must be a readable regular file. */
export declare function checkLanguageModelFiles(dir: string, json: EnsembleJson): Promise<void>;
/** The checks `Ensemble.load` and `WorkerPoolEnsemble.start` run before loading any model. */
export declare function checkEnsembleFiles(dir: string, options?: EnsembleCheckOptions): Promise<EnsembleJson>;
