// Voice-activity boundary error: `npm run bench -- vad`. Real utterances joined with known silences
// (tests/helpers/long-audio.ts; 0.8–2 s gaps, −60 dBFS noise): the bundled samples (espeak-ng en/vi, 8 kHz
// digits) and, when ../shared/data is present, FPT Open Speech Data (vi, read speech) and the Free Spoken
// Digit Dataset (8 kHz). For each utterance: the first detected segment overlapping it vs the utterance's
// start in the file, the last one vs its end (the utterance files have their own leading/trailing
// silence, which counts as error here), plus misses (no overlap) and merges (one segment over two
// utterances). Default options (src/segment/defaults.ts).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAudio } from '../src/audio/load.js';
import { SileroVad } from '../src/segment/silero.js';
import { detectSpeech } from '../src/segment/vad.js';
import { manifestUtterances, writeLongRecording, type Utterance } from '../tests/helpers/long-audio.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const shared = path.resolve(repo, '..', 'shared', 'data');

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
}

export async function measure(name: string, utts: Utterance[], vad: SileroVad): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-vad-'));
  try {
    const file = path.join(dir, 'long.wav');
    const { seconds, placed } = await writeLongRecording(file, utts);
    const x = await loadAudio(file, 16000);
    const t0 = performance.now();
    const segs = await detectSpeech(vad, x);
    const ms = performance.now() - t0;
    const startErr: number[] = [];
    const endErr: number[] = [];
    let missed = 0;
    let merged = 0;
    for (const u of placed) {
      const over = segs.filter((s) => s.end > u.start && s.start < u.end);
      if (over.length === 0) {
        missed++;
        continue;
      }
      startErr.push(over[0].start - u.start);
      endErr.push(over[over.length - 1].end - u.end);
    }
    for (const s of segs) if (placed.filter((u) => s.end > u.start && s.start < u.end).length > 1) merged++;
    const abs = (xs: number[]) => xs.map(Math.abs);
    const within = [...abs(startErr), ...abs(endErr)].filter((e) => e <= 0.3).length / Math.max(1, startErr.length * 2);
    console.log(
      `${name}: ${placed.length} utterances, ${seconds.toFixed(0)} s, ${segs.length} segments; ` +
        `start error median ${quantile(startErr, 0.5).toFixed(3)} s (|p90| ${quantile(abs(startErr), 0.9).toFixed(3)}), ` +
        `end error median ${quantile(endErr, 0.5).toFixed(3)} s (|p90| ${quantile(abs(endErr), 0.9).toFixed(3)}); ` +
        `${(within * 100).toFixed(1)} % of boundaries within ±0.3 s; missed ${missed}, merged ${merged}; ` +
        `VAD ${(seconds / (ms / 1000)).toFixed(0)}× real time`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const vad = await SileroVad.load();
  await measure(
    'bundled samples (9 utterances ×3)',
    [...Array(3)].flatMap(() => manifestUtterances(path.join(repo, 'samples', 'manifest.jsonl'), '')),
    vad,
  );
  if (existsSync(path.join(shared, 'fosd', 'train.jsonl'))) {
    await measure('FOSD vi read speech (100 utterances)', manifestUtterances(path.join(shared, 'fosd', 'train.jsonl'), 'vi', 100), vad);
    await measure(
      'FSDD digits 8 kHz (100 utterances)',
      manifestUtterances(path.join(shared, 'fsdd', 'train.jsonl'), 'digits')
        .filter((_, i) => i % 27 === 0)
        .slice(0, 100),
      vad,
    );
  } else {
    console.log(`(${shared} not found: FOSD/FSDD cases skipped)`);
  }
}
