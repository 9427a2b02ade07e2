export interface ManifestEntry {
    /** Absolute audio path. */
    audioPath: string;
    /** `audio_filepath` exactly as written in the manifest. */
    audioFilepath: string;
    duration: number | null;
    /**
     * NeMo `offset` (seconds into the file), when present: the entry is the span offset … offset + duration
     * (to the end without duration). Without it the entry is the whole file (`duration` is informational,
     * as in the manifests NeMo writes).
     */
    offset: number | null;
    /** Reference text, when present. */
    text: string | null;
    /** 1-based line number in the manifest. */
    line: number;
    /** The whole JSON object of the line. */
    raw: Record<string, unknown>;
}
export interface Manifest {
    file: string;
    entries: ManifestEntry[];
    /** Every line as Python's `readlines()` sees it (NeMo's subsampling picks among these). */
    lineCount: number;
}
export interface ManifestOptions {
    /** Key of the audio path (NeMo `audio_key`). */
    audioKey?: string;
    /** Key of the reference text (NeMo `gt_text_attr_name`). */
    textKey?: string;
    /** Fail when an audio file does not exist (all missing ones listed in one error). Default true. */
    checkAudio?: boolean;
    /** Require `text` on every line. */
    requireText?: boolean;
    /** Working directory for audio paths that are not beside the manifest (default process.cwd()). */
    cwd?: string;
}
/** Split text into lines the way Python's `str.readlines()` does for the newline characters NeMo meets. */
export declare function pythonLines(text: string): string[];
/** Parse one manifest line; null for a blank line. Throws UserError with `file:line`. */
export declare function parseManifestLine(line: string, lineNo: number, file: string, options?: ManifestOptions): ManifestEntry | null;
/**
 * NeMo's `get_full_path` (nemo/collections/common/parts/preprocessing/manifest.py): a relative path names a file
 * beside the manifest when one exists there; otherwise it is taken as written (relative to the working directory)
 * with `~` expanded. Absolute paths are used as they are.
 */
export declare function resolveAudioPath(audio: string, manifestFile: string, cwd?: string): string;
/** Parse manifest text (all lines). */
export declare function parseManifest(text: string, file: string, options?: ManifestOptions): Manifest;
/** Throws one UserError listing every missing audio file. */
export declare function checkAudioFiles(m: Manifest): void;
export declare function loadManifest(file: string, options?: ManifestOptions): Promise<Manifest>;
/**
 * NeMo's `subsample_manifest`: `random.sample(lines, max_samples)` when the file has more lines than
 * `max_samples` (lines as `readlines()` returns them, blank ones included), else file order.
 * `sampleIndices` is the shared RNG's `sample` over `range(n)`.
 * Returns the chosen entries in sample order (blank lines picked by the sample are dropped, as NeMo's
 * manifest reader skips them).
 */
export declare function subsampleManifest(m: Manifest, maxSamples: number, sampleIndices: (n: number, k: number) => number[]): ManifestEntry[];
