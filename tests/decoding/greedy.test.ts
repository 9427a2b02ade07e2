/**
 * One token-to-text rule: greedy decoding and the beam search (width 1, no LM) print the same text for random
 * posteriors over the demo members' real vocabularies (BPE with `<unk>`, Vietnamese characters, wav2vec2 `|` +
 * `<pad>`/`<s>`/`</s>`/`<unk>` upper case).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { greedyDecode } from '../../src/decoding/greedy.js';
import { decodeWithLm } from '../../src/decoding/prefix-beam-search.js';
import { UNK_TEXT } from '../../src/decoding/alphabet.js';
import { loadCtcModel } from '../../src/models/load.js';
import type { Logprobs } from '../../src/models/types.js';
import { rng } from '../helpers/random.js';
import { repoRoot } from '../helpers/shared.js';

/** Posteriors whose argmax path is a random token sequence, blanks and repeats included. */
function randomPosteriors(V: number, frames: number, seed: number): Logprobs {
  const next = rng(seed);
  const data = new Float32Array(frames * V);
  for (let t = 0; t < frames; t++) {
    const hot = Math.floor(next() * V);
    for (let k = 0; k < V; k++) data[t * V + k] = k === hot ? -0.05 : -4 - 4 * next();
  }
  return { data, frames, vocabSize: V };
}

describe('greedy text = beam-1 text without LM', () => {
  for (const member of ['en', 'vi', 'digits']) {
    it(`on the demo ${member} vocabulary, 500 random sequences`, async () => {
      const model = await loadCtcModel(path.join(repoRoot, 'models', member));
      try {
        let sawUnk = false;
        for (let i = 0; i < 500; i++) {
          const lp = randomPosteriors(model.vocabSize, 5 + (i % 40), 1000 * i + member.length);
          const greedy = greedyDecode(lp, model.vocabulary, model.blankId, model.tokenizer);
          const beam = decodeWithLm(lp, model.vocabulary, model.blankId, null, { beamWidth: 1, lowerCase: model.tokenizer.lowerCase });
          expect(beam).toBe(greedy);
          if (greedy.includes(UNK_TEXT)) sawUnk = true;
        }
        // en (id 0) and digits (id 3) have an <unk> token; it prints as ⁇ in both decoders.
        if (member !== 'vi') expect(sawUnk).toBe(true);
      } finally {
        await model.dispose();
      }
    });
  }

  it('word delimiters, <unk> and silent specials', () => {
    const vocab = ['<pad>', 'A', 'B', '<unk>', '|', 'C'];
    const ids = [4, 1, 2, 0, 2, 3, 4, 5, 4];
    const V = vocab.length;
    const data = new Float32Array(ids.length * V).fill(-9);
    ids.forEach((id, t) => (data[t * V + id] = -0.01));
    expect(greedyDecode({ data, frames: ids.length, vocabSize: V }, vocab, 0, { lowerCase: true })).toBe(`abb${UNK_TEXT} c`);
  });
});
