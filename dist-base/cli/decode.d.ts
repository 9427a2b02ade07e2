import type { Command } from 'commander';
/** Contents of `ensemble decode --logprobs FILE.json`. */
export interface LogprobsFile {
    vocabulary: string[];
    blank: number;
    /** Row-major [frames][vocabulary.length]. */
    data: Float32Array;
    frames: number;
    /** Rows that were not normalised log-probabilities and were log-softmaxed. */
    renormalisedRows: number;
}
/**
 * Parses and validates `{"vocabulary": [...], "blank": <index>, "logprobs": [[...], ...]}`. Every problem is a
 * UserError naming the file and the field (and row/column). Rows whose log-sum-exp is not 0 (±0.01), e.g. raw
 * logits, are log-softmaxed (as pyctcdecode does) and counted in `renormalisedRows`.
 */
export declare function parseLogprobsJson(text: string, source: string): LogprobsFile;
export declare function register(program: Command): void;
