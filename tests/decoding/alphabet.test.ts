import { describe, expect, it } from 'vitest';
import { TokenRole, UNK_TEXT, buildAlphabet, greedyTranscript, tokensToText } from '../../src/decoding/alphabet.js';

describe('buildAlphabet', () => {
  it('character vocabulary with a space delimiter', () => {
    const a = buildAlphabet(['-', ' ', 'a', 'b', "'"], 0);
    expect(a.kind).toBe('char');
    expect(a.wordDelimiter).toBe(' ');
    expect(a.role[0]).toBe(TokenRole.Blank);
    expect(a.role[1]).toBe(TokenRole.WordStart);
    expect(a.text[1]).toBe('');
    expect(a.role[2]).toBe(TokenRole.Piece);
    expect(tokensToText(a, [2, 1, 3, 4])).toBe("a b'");
  });

  it('wav2vec2 vocabulary: | is the delimiter, <pad> is the blank, <s> </s> are silent, <unk> prints ⁇', () => {
    const vocab = ['<pad>', '<s>', '</s>', '<unk>', '|', 'E', 'T'];
    const a = buildAlphabet(vocab, 0, { lowerCase: true });
    expect(a.kind).toBe('char');
    expect(a.wordDelimiter).toBe('|');
    expect(Array.from(a.blankIds)).toEqual([0, 1, 2]);
    expect(a.role[3]).toBe(TokenRole.Piece);
    expect(a.text[3]).toBe(UNK_TEXT);
    expect(a.text[5]).toBe('e');
    expect(tokensToText(a, [6, 5, 4, 5, 3])).toBe('te e⁇');
  });

  it('| is an ordinary character when the vocabulary also has a space', () => {
    const a = buildAlphabet(['_', ' ', '|', 'a'], 0);
    expect(a.wordDelimiter).toBe(' ');
    expect(a.role[2]).toBe(TokenRole.Piece);
    expect(a.text[2]).toBe('|');
  });

  it('a <pad> that is not the blank is folded into the blank', () => {
    const a = buildAlphabet(['a', ' ', '<pad>', '<blank>'], 3);
    expect(Array.from(a.blankIds)).toEqual([3, 2]);
  });

  it('SentencePiece vocabulary', () => {
    const vocab = ['<unk>', '▁the', '▁c', 'at', '▁', 's', 'end▁', '<blank>'];
    const a = buildAlphabet(vocab, 7);
    expect(a.kind).toBe('bpe');
    expect(a.role[1]).toBe(TokenRole.WordStart);
    expect(a.text[1]).toBe('the');
    expect(a.role[3]).toBe(TokenRole.Piece);
    expect(a.role[4]).toBe(TokenRole.WordStart);
    expect(a.text[4]).toBe('');
    expect(a.endsWord[6]).toBe(1);
    expect(a.text[6]).toBe('end');
    expect(a.role[0]).toBe(TokenRole.WordStart);
    expect(a.endsWord[0]).toBe(1);
    expect(tokensToText(a, [1, 2, 3, 5])).toBe('the cats');
    expect(tokensToText(a, [4, 1, 4, 4, 2, 3])).toBe('the cat');
    expect(tokensToText(a, [5, 6, 3])).toBe('send at');
    expect(tokensToText(a, [1, 0, 3])).toBe('the ⁇ at');
  });

  it('WordPiece vocabulary: ## continues, other tokens start words', () => {
    const a = buildAlphabet(['[PAD]', '[UNK]', 'the', 'c', '##at', '##s'], 0);
    expect(a.kind).toBe('bpe');
    expect(a.role[2]).toBe(TokenRole.WordStart);
    expect(a.role[4]).toBe(TokenRole.Piece);
    expect(a.text[4]).toBe('at');
    expect(tokensToText(a, [2, 3, 4, 5])).toBe('the cats');
  });

  it('rejects a blank index outside the vocabulary', () => {
    expect(() => buildAlphabet(['a', 'b'], 2)).toThrow(/blank index 2/);
    expect(() => buildAlphabet([], 0)).toThrow(/empty/);
  });
});

describe('greedyTranscript', () => {
  it('collapses repeats, keeps a repeat separated by a blank or a silent token', () => {
    const vocab = ['-', ' ', 'a', 'b', '<s>'];
    const a = buildAlphabet(vocab, 0);
    const seq = [2, 2, 0, 2, 1, 3, 3, 4, 3];
    const lp = new Float32Array(seq.length * vocab.length).fill(-10);
    seq.forEach((k, t) => (lp[t * vocab.length + k] = -0.01));
    expect(greedyTranscript(lp, seq.length, a).text).toBe('aa bb');
  });
});
