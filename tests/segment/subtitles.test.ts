import { describe, expect, it } from 'vitest';
import { buildCues, toSrt, toVtt } from '../../src/segment/subtitles.js';
import type { WordTiming } from '../../src/segment/timestamps.js';

function words(text: string, start: number, step: number): WordTiming[] {
  return text.split(' ').map((w, i) => ({ word: w, start: start + i * step, end: start + i * step + step * 0.8 }));
}

describe('subtitle cues', () => {
  it('at most 2 lines of 42 characters and 7 s; never across segments; words never split', () => {
    const long = 'the quick brown fox jumps over the lazy dog and keeps running through the forest until night falls';
    const segs = [{ words: words(long, 0, 0.3) }, { words: words('short one', 40, 0.4) }, { words: [{ word: 'x'.repeat(50), start: 50, end: 51 }] }];
    const cues = buildCues(segs);
    for (const c of cues) {
      expect(c.lines.length).toBeLessThanOrEqual(2);
      for (const l of c.lines) if (!l.includes('x'.repeat(50))) expect(l.length).toBeLessThanOrEqual(42);
      expect(c.end - c.start).toBeLessThanOrEqual(7);
    }
    expect(cues.flatMap((c) => c.lines.join(' ').split(' '))).toEqual([...long.split(' '), 'short', 'one', 'x'.repeat(50)]);
    expect(cues.find((c) => c.lines.join(' ').includes('short'))!.lines.join(' ')).toBe('short one');
  });

  it('writes SRT (comma milliseconds, numbered) and WebVTT (header, dot milliseconds, escaped)', () => {
    const cues = buildCues([{ words: [{ word: 'a<b', start: 3661.5, end: 3662.25 }] }]);
    expect(toSrt(cues)).toBe('1\n01:01:01,500 --> 01:01:02,250\na<b\n');
    expect(toVtt(cues)).toBe('WEBVTT\n\n01:01:01.500 --> 01:01:02.250\na&lt;b\n');
  });
});
