import type { CtcModel } from '../models/types.js';
import { type BuildConfig } from './config.js';
import { type EnsembleJson } from './format.js';
import { type ManifestEntry } from './manifest.js';
import { type ProgressOptions } from './progress.js';
import { type RunStats } from './runner.js';
export interface BuildOptions {
    /** Output folder (`-o`); default from the YAML's `output_path`. */
    outDir?: string;
    /** Utterances in flight at once (each runs all missing members concurrently). Default min(4, CPUs). */
    concurrency?: number;
    /** Progress display; `false` for none. */
    progress?: ProgressOptions | false;
    /** Informational lines (default: stderr). */
    log?: (line: string) => void;
    /** Cache folder; default `DIR/.cache`. `false` disables the cache. */
    cacheDir?: string | false;
    /** Environment for `${oc.env:…}`. */
    env?: Record<string, string | undefined>;
    /** Hydra overrides applied to the config (`ensemble.0.model=…`). */
    overrides?: readonly string[];
    /** Model loader (tests inject counting wrappers). */
    loadModel?: (dir: string) => Promise<CtcModel>;
}
export interface BuildStats extends RunStats {
    /** Model × utterance results taken from the cache. */
    cachedPasses: number;
    /** Distinct audio files. */
    audioFiles: number;
    /** Audio files decoded (0 when everything came from the cache). */
    audioDecodes: number;
}
export interface BuildResult {
    outDir: string;
    file: string;
    ensemble: EnsembleJson;
    stats: BuildStats;
    /** The training utterances used per member (after subsampling), in NeMo's order. */
    training: ManifestEntry[][];
    /** The selector's input rows (training utterances in `training` order; dev sets when given), under the chosen spec. */
    selectorInputs: {
        train: number[][];
        dev: number[][] | null;
    };
}
/** Where the ensemble goes: `-o`, else `output_path` (a `.nemo` name becomes a folder of that basename). */
export declare function resolveOutputDir(cfg: BuildConfig, outDir: string | undefined, log: (s: string) => void): string;
/** `configFile` null: the config comes from the overrides alone (NeMo's schema defaults underneath). */
export declare function buildEnsemble(configFile: string | null, options?: BuildOptions): Promise<BuildResult>;
export declare function buildEnsembleFromConfig(cfg: BuildConfig, options?: BuildOptions): Promise<BuildResult>;
