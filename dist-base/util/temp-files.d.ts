/** Remove `p` (file or folder) if this process is interrupted before release() is called. */
export declare function registerTemp(p: string): void;
/** Forget `p` (after it was renamed into place or removed). */
export declare function releaseTemp(p: string): void;
/** Paths registered now (for tests and diagnostics). */
export declare function registeredTemps(): string[];
/** Remove `p` now and forget it. */
export declare function removeTemp(p: string): void;
/** Temp name beside `file` for an atomic write: `FILE.<pid>.<8 hex>.tmp`. */
export declare function tempSibling(file: string): string;
/**
 * Remove entries of `dir` whose name matches `pattern` (its first group the owner's pid) and whose
 * process is gone: leftovers of a killed run. Returns the removed paths.
 */
export declare function sweepStale(dir: string, pattern: RegExp): string[];
/** Leftover atomic-write temp files of `file` (FILE.<pid>.<hex>.tmp) from processes that are gone. */
export declare function sweepStaleSiblings(file: string): string[];
/**
 * Delete the temp files (`*.<pid>.<hex>.tmp`) in `dir`, and below it with `recursive`, whose writer process is
 * gone (a SIGKILL, a power cut); never those of a writer still running. Returns how many were removed; a
 * missing folder is not an error.
 */
export declare function sweepStaleTempFiles(dir: string, options?: {
    recursive?: boolean;
}): number;
