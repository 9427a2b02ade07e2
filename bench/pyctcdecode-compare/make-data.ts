// Posterior sets and the LM for the pyctcdecode comparison (see run.sh in this folder for the whole procedure).
//
//   vite-node bench/pyctcdecode-compare/make-data.ts OUT_DIR
//
// Writes into OUT_DIR:
//   lm.4.arpa         4-gram (interpolated modified Kneser-Ney, lmplz-exact: `ensemble lm build --order 4`) on
//                     ../shared/golden/kenlm/corpus/en.train.txt (Debian licence texts and man pages)
//   sentences.txt     the reference sentences: lines of en.test.txt with 4–12 words, none of which is a line of the
//                     LM text, 100 of them picked with a fixed seed
//   en-model.json     the demo `en` model's (models/en, 128 SentencePiece pieces) log-posteriors on those
//                     sentences spoken by espeak-ng (varied voices, speeds, pitches; half with white noise)
//   bpe-peaky.json    synthetic posteriors over the same 128-piece vocabulary (true piece +8 over N(0,1) logits)
//   bpe-noisy.json    the same with the true piece +5.5
//   (in both synthetic sets 15 % of the pieces also get a random other piece at +peak + U(0, 2), so greedy is
//   often wrong there while the true piece keeps a probability the LM can recover)
// Each posterior file: {"vocabulary": [...], "blank": i, "utterances": [{"ref", "frames", "logprobs": [[...]]}]}.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAudio } from '../../src/audio/load.js';
import { writeArpa } from '../../src/lm/arpa-write.js';
import { buildFromCorpus } from '../../src/lm/estimate.js';
import { loadCtcModel } from '../../src/models/load.js';
import { gauss, rng } from '../../tests/helpers/random.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const sharedDir = process.env.CTC_ENSEMBLE_SHARED ?? path.resolve(root, '..', 'shared');
const corpusDir = path.join(sharedDir, 'golden', 'kenlm', 'corpus');
const N_SENTENCES = Number(process.env.N_SENTENCES ?? 100);
const CONFUSION = 0.15;

interface Utterance {
  ref: string;
  frames: number;
  logprobs: number[][];
}

function pickSentences(): string[] {
  const train = new Set(
    readFileSync(path.join(corpusDir, 'en.train.txt'), 'utf8')
      .split('\n')
      .map((s) => s.trim()),
  );
  const candidates = [
    ...new Set(
      readFileSync(path.join(corpusDir, 'en.test.txt'), 'utf8')
        .split('\n')
        .map((s) => s.trim().replace(/\s+/g, ' '))
        .filter((s) => {
          const w = s.split(' ');
          return w.length >= 4 && w.length <= 12 && w.every((x) => /^[a-z]+('[a-z]+)?$/.test(x)) && !train.has(s);
        }),
    ),
  ];
  const next = rng(19);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  return candidates.slice(0, N_SENTENCES);
}

/** Pieces of `word` in the vocabulary: longest `▁` piece that starts it, then longest pieces (SentencePiece-like). */
function segment(word: string, vocab: readonly string[]): number[] {
  const index = new Map(vocab.map((t, i) => [t, i]));
  const ids: number[] = [];
  let pos = 0;
  let first = true;
  while (pos < word.length) {
    let found = -1;
    let len = 0;
    for (let l = word.length - pos; l >= 1; l--) {
      const id = index.get((first ? '▁' : '') + word.slice(pos, pos + l));
      if (id !== undefined) {
        found = id;
        len = l;
        break;
      }
    }
    if (found < 0) {
      if (!first) throw new Error(`cannot segment ${JSON.stringify(word)} with the vocabulary`);
      const bare = index.get('▁');
      if (bare === undefined) throw new Error(`no piece starts ${JSON.stringify(word)}`);
      ids.push(bare);
      first = false;
      continue;
    }
    ids.push(found);
    pos += len;
    first = false;
  }
  return ids;
}

function synthesizeBpe(text: string, vocab: readonly string[], blank: number, next: () => number, peak: number): Utterance {
  const V = vocab.length;
  const pieces = text.split(' ').flatMap((w) => segment(w, vocab));
  const targets: Array<{ tok: number; conf: number; bonus: number }> = [];
  let prev = -1;
  for (const tok of pieces) {
    const blanks = tok === prev ? 1 + Math.floor(next() * 2) : Math.floor(next() * 3);
    for (let b = 0; b < blanks; b++) targets.push({ tok: blank, conf: -1, bonus: 0 });
    let conf = -1;
    if (next() < CONFUSION) {
      do
        conf = 1 + Math.floor(next() * (V - 1)); // never <unk> (id 0)
      while (conf === tok || conf === blank);
    }
    const bonus = next() * 2;
    const len = 1 + Math.floor(next() * 2);
    for (let f = 0; f < len; f++) targets.push({ tok, conf, bonus });
    prev = tok;
  }
  targets.push({ tok: blank, conf: -1, bonus: 0 });
  const row = new Float64Array(V);
  const logprobs = targets.map(({ tok, conf, bonus }) => {
    let max = -Infinity;
    for (let k = 0; k < V; k++) {
      row[k] = gauss(next) + (k === tok ? peak : 0) + (k === conf ? peak + bonus : 0);
      if (row[k] > max) max = row[k];
    }
    let z = 0;
    for (let k = 0; k < V; k++) z += Math.exp(row[k] - max);
    const lz = max + Math.log(z);
    return Array.from(row, (v) => Number((v - lz).toFixed(5)));
  });
  return { ref: text, frames: logprobs.length, logprobs };
}

async function modelPosteriors(sentences: string[], outDir: string): Promise<{ vocabulary: string[]; blank: number; utterances: Utterance[] }> {
  const model = await loadCtcModel(path.join(root, 'models', 'en'));
  const voices = ['en-us', 'en-gb', 'en-gb-x-rp', 'en-gb-scotland', 'en-029', 'en-us+m3', 'en-gb+f2', 'en-us+f3'];
  const next = rng(2019);
  const wavDir = path.join(outDir, 'wav');
  mkdirSync(wavDir, { recursive: true });
  const utterances: Utterance[] = [];
  try {
    for (let i = 0; i < sentences.length; i++) {
      const voice = voices[Math.floor(next() * voices.length)];
      const speed = 130 + Math.floor(next() * 80);
      const pitch = 20 + Math.floor(next() * 60);
      const wav = path.join(wavDir, `${String(i).padStart(3, '0')}.wav`);
      execFileSync('espeak-ng', ['-v', voice, '-s', String(speed), '-p', String(pitch), '-w', wav, sentences[i]]);
      const samples = await loadAudio(wav, model.frontEnd.sampleRate);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
      const noisy = next() < 0.5;
      const snrDb = 10 + 10 * next();
      let power = 0;
      for (const s of samples) power += s * s;
      const noiseStd = Math.sqrt(power / samples.length / 10 ** (snrDb / 10));
      const pad = Math.floor(model.frontEnd.sampleRate * 0.2);
      const x = new Float32Array(samples.length + 2 * pad);
      for (let k = 0; k < samples.length; k++) x[pad + k] = samples[k] / (peak + 1e-6);
      if (noisy) for (let k = 0; k < x.length; k++) x[k] += (gauss(next) * noiseStd) / (peak + 1e-6);
      const lp = await model.run(x);
      const logprobs: number[][] = [];
      for (let t = 0; t < lp.frames; t++) {
        logprobs.push(Array.from(lp.data.subarray(t * lp.vocabSize, (t + 1) * lp.vocabSize), (v) => Number(v.toFixed(5))));
      }
      utterances.push({ ref: sentences[i], frames: lp.frames, logprobs });
    }
  } finally {
    await model.dispose();
  }
  return { vocabulary: [...model.vocabulary], blank: model.blankId, utterances };
}

async function main(): Promise<void> {
  const outDir = process.argv[2];
  if (!outDir) throw new Error('usage: make-data.ts OUT_DIR');
  if (!existsSync(path.join(corpusDir, 'en.train.txt'))) throw new Error(`${corpusDir}/en.train.txt not found (set CTC_ENSEMBLE_SHARED)`);
  mkdirSync(outDir, { recursive: true });
  const sentences = pickSentences();
  writeFileSync(path.join(outDir, 'sentences.txt'), `${sentences.join('\n')}\n`);
  const arpa = path.join(outDir, 'lm.4.arpa');
  if (!existsSync(arpa)) {
    const built = await buildFromCorpus(path.join(corpusDir, 'en.train.txt'), { order: 4 });
    await writeArpa(built.model, arpa);
  }
  const en = await modelPosteriors(sentences, outDir);
  writeFileSync(path.join(outDir, 'en-model.json'), JSON.stringify(en));
  // Synthetic sets over the model's own vocabulary (blank = its blank index).
  for (const [name, peak] of [
    ['bpe-peaky', 8],
    ['bpe-noisy', 5.5],
  ] as const) {
    const next = rng(peak === 8 ? 81 : 55);
    const utterances = sentences.map((s) => synthesizeBpe(s, en.vocabulary, en.blank, next, peak));
    writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify({ vocabulary: en.vocabulary, blank: en.blank, utterances }));
  }
  console.log(`wrote ${outDir}: lm.4.arpa, sentences.txt (${sentences.length}), en-model.json, bpe-peaky.json, bpe-noisy.json`);
}

await main();
