import { framingOption, numberOption } from './options.js';
import { loadAudio } from '../audio/load.js';
import { loadCtcModel } from '../models/load.js';
import { greedyDecode } from '../decoding/greedy.js';
export function register(program) {
    program
        .command('transcribe')
        .description('greedy CTC transcript of audio files with one model folder (NeMo, sherpa-onnx or wav2vec2 ONNX export)')
        .requiredOption('--model <dir>', 'model folder')
        .argument('<audio...>', 'audio files (WAV; other containers through ffmpeg)')
        .option('--temperature <t>', 'log_softmax(logits / T) before decoding', '1')
        .option('--framing <kind>', 'NeMo STFT framing when the folder does not say: reflect (NeMo ≤ 2.4.x, default) or zero-pad (≥ 2.5)')
        .option('--nemo-version <v>', 'the framing of this NeMo version when the folder does not say (≤ 2.4.x reflect, ≥ 2.5 zero-pad)')
        .option('--json', 'print JSON: {"model","layout","results":[{"file","text","frames"}]}')
        .action(async (audio, opts) => {
        const temperature = numberOption('--temperature', opts.temperature, { min: Number.MIN_VALUE });
        const model = await loadCtcModel(opts.model, { framing: framingOption(opts.framing, opts.nemoVersion) });
        try {
            const results = [];
            for (const file of audio) {
                const samples = await loadAudio(file, model.frontEnd.sampleRate);
                const lp = await model.run(samples, { temperature });
                const text = greedyDecode(lp, model.vocabulary, model.blankId, model.tokenizer);
                results.push({ file, text, frames: lp.frames });
                if (!opts.json)
                    process.stdout.write(audio.length > 1 ? `${file}\t${text}\n` : `${text}\n`);
            }
            if (opts.json)
                process.stdout.write(`${JSON.stringify({ model: opts.model, layout: model.layout, results })}\n`);
        }
        finally {
            await model.dispose();
        }
    });
}
//# sourceMappingURL=transcribe.js.map