// Our beam search vs pyctcdecode on the posterior sets of make-data.ts (see run.sh in this folder).
//
//   vite-node bench/pyctcdecode-compare/compare.ts DATA_DIR
//
// Decodes DATA_DIR/{en-model,bpe-peaky,bpe-noisy}.json with CtcBeamSearchDecoder and DATA_DIR/lm.4.arpa at beams
// 16/64/100 (alpha 0.5, beta 1.5, every other setting the default, as pyctcdecode's), reads pyctcdecode's hypotheses
// from DATA_DIR/<set>.pyctcdecode.json when present (pyctcdecode_decode.py), and prints a markdown table of word error
// rates (greedy, ours, pyctcdecode `decode` and `decode_beams`) and our speed in frames per CPU second; SHOW_DIFFS=1
// also lists the utterances where ours and pyctcdecode's `decode` differ at the largest beam.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAlphabet, greedyTranscript } from '../../src/decoding/alphabet.js';
import { CtcBeamSearchDecoder } from '../../src/decoding/prefix-beam-search.js';
import { wer } from '../../src/eval/wer.js';
import { loadLanguageModel } from '../../src/lm/index.js';

interface PosteriorSet {
  vocabulary: string[];
  blank: number;
  utterances: Array<{ ref: string; frames: number; logprobs: number[][] }>;
}

const SETS = (process.env.SETS ?? 'en-model,bpe-peaky,bpe-noisy').split(',');
const BEAMS = (process.env.BEAMS ?? '16,64,100').split(',').map(Number);
const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: compare.ts DATA_DIR');
  const lm = await loadLanguageModel(path.join(dir, 'lm.4.arpa'));
  const rows: string[] = [];
  const diffs: string[] = [];
  for (const name of SETS) {
    const set = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as PosteriorSet;
    const V = set.vocabulary.length;
    const alphabet = buildAlphabet(set.vocabulary, set.blank);
    const py = existsSync(path.join(dir, `${name}.pyctcdecode.json`))
      ? (JSON.parse(readFileSync(path.join(dir, `${name}.pyctcdecode.json`), 'utf8')) as Record<string, { hyps: string[] }>)
      : null;
    // pyctcdecode may have decoded only the first MAX_UTTS utterances (pyctcdecode_decode.py): compare on those.
    const count = Math.min(set.utterances.length, ...Object.values(py ?? {}).map((r) => r.hyps.length));
    const utts = set.utterances.slice(0, count).map((u) => {
      const data = new Float32Array(u.frames * V);
      u.logprobs.forEach((r, t) => data.set(r, t * V));
      return { ref: u.ref, frames: u.frames, data };
    });
    const refs = utts.map((u) => u.ref);
    const score = (hyps: string[]): number => wer(refs.map((r, i) => [r, hyps[i]] as [string, string]));
    const greedy = utts.map((u) => greedyTranscript(u.data, u.frames, alphabet).text);
    const decoder = new CtcBeamSearchDecoder(alphabet, lm);
    const frames = utts.reduce((a, u) => a + u.frames, 0);
    for (const beam of BEAMS) {
      const options = { beamWidth: beam, alpha: 0.5, beta: 1.5, topN: 1 };
      for (const u of utts.slice(0, 10)) decoder.decode(u.data, u.frames, options); // JIT and LM-cache warm-up
      const c0 = process.cpuUsage();
      const ours = utts.map((u) => decoder.decode(u.data, u.frames, options)[0]?.text ?? '');
      const cpu = process.cpuUsage(c0);
      const fps = frames / ((cpu.user + cpu.system) / 1e6);
      const pd = py?.[`decode:${beam}`]?.hyps;
      const pb = py?.[`decode_beams:${beam}`]?.hyps;
      rows.push(
        `| ${name} (${utts.length} utt., ${frames} frames) | ${beam} | ${pct(score(greedy))} | **${pct(score(ours))}** | ${pd ? pct(score(pd)) : '–'} | ${pb ? pct(score(pb)) : '–'} | ${fps.toFixed(0)} |`,
      );
      if (pd && beam === BEAMS[BEAMS.length - 1]) {
        for (let i = 0; i < utts.length; i++) {
          if (ours[i] !== pd[i]) diffs.push(`${name}#${i}\n  ref  ${refs[i]}\n  ours ${ours[i]}\n  py   ${pd[i]}`);
        }
      }
    }
  }
  console.log('| posteriors | beam | greedy WER | ours WER | pyctcdecode `decode` WER | pyctcdecode `decode_beams` WER | ours frames/s (CPU) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  if (process.env.SHOW_DIFFS) console.log(`\n${diffs.length} utterances differ at the largest beam:\n${diffs.join('\n')}`);
}

await main();
