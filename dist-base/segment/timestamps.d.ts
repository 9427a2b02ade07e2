/**
 * Word timestamps from a CTC alignment. Tokens are grouped into words by the same rules the decoders
 * use to print them (`Alphabet`: a word-start piece or a delimiter opens a word; see decoding/alphabet.ts),
 * so the words are the transcript's words. A word starts at the first frame of its first token and ends
 * after the last frame of its last token; a frame lasts `frameSeconds` (the front end's hop × the
 * encoder's subsampling, or the conv strides for wav2vec2), and `offset` moves segment time to file time.
 */
import { type Alphabet } from '../decoding/alphabet.js';
export interface WordTiming {
    word: string;
    /** Seconds in the file. */
    start: number;
    end: number;
}
export declare function wordTimings(alphabet: Alphabet, tokens: readonly number[], firstFrames: readonly number[], lastFrames: readonly number[], frameSeconds: number, offset: number, 
/** Clamp word ends to this time (the segment's end). */
limit?: number): WordTiming[];
