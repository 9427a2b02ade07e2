/**
 * The JSON record of one transcribed utterance, as `ensemble infer --json` / `--manifest` print it, and the
 * per-manifest-entry step (transcribe + record) that `infer --manifest` and the batch queue's workers share,
 * so a result is the same whichever of the two produced it. Manifest records have the shape NeMo's
 * transcribe_speech.py writes and speech_to_text_eval.py reads: every field of the input line as it was, plus
 * `pred_text`; what this tool adds (chosen model, probabilities, confidences, timings, member transcripts) sits
 * under `ensemble`.
 */
import type { ManifestEntry } from './manifest.js';
import type { EnsembleResult, SegmentResult, TranscribeOptions } from './types.js';
/** Anything that transcribes like an `Ensemble` (the in-thread ensemble, a worker-thread pool). */
export interface EntryTranscriber {
    transcribe(audio: string | Uint8Array, options: TranscribeOptions): Promise<EnsembleResult>;
}
/** One JSON record per utterance (`--json`). */
export declare function resultRecord(r: EnsembleResult, extra?: Record<string, unknown>, all?: boolean): Record<string, unknown>;
/** One segment as JSON (also a `--format jsonl` line, with the file name in `extra`). */
export declare function segmentRecord(s: SegmentResult, extra?: Record<string, unknown>): Record<string, unknown>;
/** What of a manifest line a record carries (the batch queue keeps exactly these in each job). */
export type RecordEntry = Pick<ManifestEntry, 'audioFilepath' | 'duration' | 'text'> & {
    offset?: number | null;
    raw?: Record<string, unknown>;
};
/** The input line's fields as they were (rebuilt from the parsed fields when the raw line is not kept). */
export declare function entryFields(e: RecordEntry): Record<string, unknown>;
/** The manifest record of one result: the input line's fields, `pred_text`, and ours under `ensemble`. */
export declare function manifestRecord(e: RecordEntry, r: EnsembleResult, all?: boolean): Record<string, unknown>;
/** The record of one manifest entry whose audio failed (batch `collect`): its fields and the error. */
export declare function failedRecord(e: RecordEntry, error: string): Record<string, unknown>;
/**
 * Transcribe one manifest entry and build its record. `audio` is the entry's audio (its path, or bytes fetched
 * elsewhere); `options` pass through to the transcriber unchanged.
 */
export declare function transcribeEntry(transcriber: EntryTranscriber, e: RecordEntry, audio: string | Uint8Array, options: TranscribeOptions): Promise<Record<string, unknown>>;
