/**
 * Word timestamps from a CTC alignment. Tokens are grouped into words by the same rules the decoders
 * use to print them (`Alphabet`: a word-start piece or a delimiter opens a word; see decoding/alphabet.ts),
 * so the words are the transcript's words. A word starts at the first frame of its first token and ends
 * after the last frame of its last token; a frame lasts `frameSeconds` (the front end's hop × the
 * encoder's subsampling, or the conv strides for wav2vec2), and `offset` moves segment time to file time.
 */
import { TokenRole } from '../decoding/alphabet.js';
const round = (x) => Math.round(x * 1000) / 1000;
export function wordTimings(alphabet, tokens, firstFrames, lastFrames, frameSeconds, offset, 
/** Clamp word ends to this time (the segment's end). */
limit = Infinity) {
    const words = [];
    let cur = null;
    const close = () => {
        if (cur && cur.word.length > 0) {
            const start = offset + cur.first * frameSeconds;
            const end = Math.min(limit, offset + (cur.last + 1) * frameSeconds);
            words.push({ word: cur.word, start: round(start), end: round(Math.max(start, end)) });
        }
        cur = null;
    };
    for (let k = 0; k < tokens.length; k++) {
        const id = tokens[k];
        const role = alphabet.role[id];
        if (role === TokenRole.Blank)
            continue;
        if (role === TokenRole.WordStart)
            close();
        const text = alphabet.text[id] ?? '';
        if (text.length > 0) {
            if (!cur)
                cur = { word: '', first: firstFrames[k], last: lastFrames[k] };
            cur.word += text;
            cur.last = lastFrames[k];
        }
        if (alphabet.endsWord[id])
            close();
    }
    close();
    return words;
}
//# sourceMappingURL=timestamps.js.map