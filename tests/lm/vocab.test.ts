import { describe, expect, it } from 'vitest';
import { parseArpa } from '../../src/lm/index.js';
import { hashBytes, hashString } from '../../src/lm/vocab.js';

const WORDS = ['a', 'thuộc', 'ß😀', '中文', 'naïve', '\uFFFD', 'x'.repeat(300), 'Ω'];

const arpa = `\\data\\\nngram 1=${WORDS.length + 3}\nngram 2=1\n\n\\1-grams:\n-1\t<unk>\t0\n0\t<s>\t-0.5\n-1\t</s>\t0\n${WORDS.map((w, i) => `-${1 + i / 10}\t${w}`).join('\n')}\n\n\\2-grams:\n-0.4\t<s> a\n\n\\end\\\n`;

describe('vocabulary: words as UTF-8 bytes, looked up from JS strings', () => {
  it('hashes a string exactly as the bytes TextEncoder gives for it (lone surrogates as U+FFFD)', () => {
    const enc = new TextEncoder();
    for (const s of [...WORDS, '', '\ud800', 'a\udc00b', '😀😀', '\u07ff\u0800\uffff', 'tab\there']) {
      const b = enc.encode(s);
      expect(hashString(s)).toBe(hashBytes(b, 0, b.length));
    }
  });

  it('finds every word of the file by its string (ASCII, 2-, 3- and 4-byte UTF-8), and nothing else', () => {
    const m = parseArpa(arpa);
    const ids = WORDS.map((w) => m.wordId(w));
    expect(new Set(ids).size).toBe(WORDS.length);
    ids.forEach((id, i) => {
      expect(id).toBeGreaterThan(2);
      expect(m.wordOf(id)).toBe(WORDS[i]);
      expect(m.hasWord(WORDS[i])).toBe(true);
    });
    for (const other of ['b', 'thuộ', 'thuộcc', 'ß', '中', 'naive', 'x'.repeat(299), '', 'A']) expect(m.wordId(other)).toBe(0);
    // a lone surrogate encodes as U+FFFD, which is a word here
    expect(m.wordId('\ud800')).toBe(m.wordId('\uFFFD'));
    expect([...m.words()]).toEqual(['<s>', '</s>', ...WORDS]);
  });
});
