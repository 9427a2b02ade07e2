/**
 * Subtitles from timed words: SubRip (SRT) and WebVTT. Cues follow the common broadcast limits (BBC /
 * Netflix style guides): at most 2 lines of at most 42 characters, at most 7 s on screen; a cue never
 * spans two speech segments, and words are never split (a single word longer than a line gets a line of
 * its own). Cue times are the first word's start and the last word's end.
 */
import { SUBTITLE_DEFAULTS } from './defaults.js';
/** Pack the words of each segment into cues. */
export function buildCues(segments, options = {}) {
    const maxLines = options.maxLines ?? SUBTITLE_DEFAULTS.maxLines;
    const maxChars = options.maxLineChars ?? SUBTITLE_DEFAULTS.maxLineChars;
    const maxSec = options.maxCueSeconds ?? SUBTITLE_DEFAULTS.maxCueSeconds;
    const cues = [];
    for (const seg of segments) {
        let cue = null;
        for (const w of seg.words ?? []) {
            if (cue) {
                const line = cue.lines[cue.lines.length - 1];
                const fitsLine = line.length + 1 + w.word.length <= maxChars;
                const fitsCue = fitsLine || cue.lines.length < maxLines;
                if (fitsCue && w.end - cue.start <= maxSec) {
                    if (fitsLine)
                        cue.lines[cue.lines.length - 1] = `${line} ${w.word}`;
                    else
                        cue.lines.push(w.word);
                    cue.end = w.end;
                    continue;
                }
                cues.push(cue);
            }
            cue = { start: w.start, end: w.end, lines: [w.word] };
        }
        if (cue)
            cues.push(cue);
    }
    // A cue must last a little: stretch zero-length ones up to the next cue (or 0.5 s).
    cues.forEach((c, i) => {
        if (c.end - c.start < 0.2)
            c.end = Math.min(c.start + 0.5, cues[i + 1]?.start ?? c.start + 0.5);
    });
    return cues;
}
function clock(t, sep) {
    const ms = Math.max(0, Math.round(t * 1000));
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const s = Math.floor((ms % 60_000) / 1000);
    const f = ms % 1000;
    const p = (x, n = 2) => String(x).padStart(n, '0');
    return `${p(h)}:${p(m)}:${p(s)}${sep}${p(f, 3)}`;
}
export function toSrt(cues) {
    return cues.map((c, i) => `${i + 1}\n${clock(c.start, ',')} --> ${clock(c.end, ',')}\n${c.lines.join('\n')}\n`).join('\n');
}
const escapeVtt = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export function toVtt(cues) {
    return `WEBVTT\n\n${cues.map((c) => `${clock(c.start, '.')} --> ${clock(c.end, '.')}\n${c.lines.map(escapeVtt).join('\n')}\n`).join('\n')}`;
}
//# sourceMappingURL=subtitles.js.map