import type { Command } from 'commander';
import { framingOption, numberOption } from './options.js';
import { loadCtcModel } from '../models/load.js';
import { modelTranscript, type ModelTranscript } from '../segment/model-transcript.js';

interface TranscribeOptions {
  model: string;
  json?: boolean;
  temperature: string;
  framing?: string;
  nemoVersion?: string;
}

export function register(program: Command): void {
  program
    .command('transcribe')
    .description(
      'greedy CTC transcript of audio files with one model folder (NeMo, sherpa-onnx or wav2vec2 ONNX export); long audio is cut by the VAD and run one segment at a time',
    )
    .requiredOption('--model <dir>', 'model folder')
    .argument('<audio...>', 'audio files (WAV; other containers through ffmpeg)')
    .option('--temperature <t>', 'log_softmax(logits / T) before decoding', '1')
    .option('--framing <kind>', 'NeMo STFT framing when the folder does not say: reflect (NeMo ≤ 2.4.x, default) or zero-pad (≥ 2.5)')
    .option('--nemo-version <v>', 'the framing of this NeMo version when the folder does not say (≤ 2.4.x reflect, ≥ 2.5 zero-pad)')
    .option('--json', 'print JSON: {"model","layout","results":[{"file","text","frames","segments":[{"start","end","text"}]}]}')
    .action(async (audio: string[], opts: TranscribeOptions) => {
      const temperature = numberOption('--temperature', opts.temperature, { min: Number.MIN_VALUE });
      const model = await loadCtcModel(opts.model, { framing: framingOption(opts.framing, opts.nemoVersion) });
      try {
        const results: Array<{ file: string } & ModelTranscript> = [];
        for (const file of audio) {
          const r = await modelTranscript(model, file, { temperature });
          results.push({ file, ...r });
          if (!opts.json) process.stdout.write(audio.length > 1 ? `${file}\t${r.text}\n` : `${r.text}\n`);
        }
        if (opts.json) process.stdout.write(`${JSON.stringify({ model: opts.model, layout: model.layout, results })}\n`);
      } finally {
        await model.dispose();
      }
    });
}
