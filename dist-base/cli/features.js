import { Option } from 'commander';
import { framingOption, numberOption } from './options.js';
import { loadAudio } from '../audio/load.js';
import { nemoMelSpectrogram } from '../features/nemo-mel.js';
import { wav2vec2Features } from '../features/wav2vec2.js';
export function register(program) {
    program
        .command('features')
        .description('compute model input features of one audio file (NeMo log-mel or wav2vec2-normalised samples)')
        .argument('<audio>', 'audio file (WAV; other containers through ffmpeg)')
        .addOption(new Option('--frontend <kind>', 'front end').choices(['nemo', 'wav2vec2']).default('nemo'))
        .option('--framing <kind>', 'NeMo STFT framing: reflect (reflect pad, L//hop+1 frames; NeMo ≤ 2.4.x, the default) or zero-pad (L//hop; NeMo ≥ 2.5)')
        .option('--nemo-version <v>', 'the framing of this NeMo version (≤ 2.4.x reflect, ≥ 2.5 zero-pad)')
        .option('--n-mels <n>', 'number of mel bins (NeMo)', '80')
        .option('--sample-rate <hz>', 'resample to this rate first', '16000')
        .addOption(new Option('--normalize <kind>', 'NeMo normalisation').choices(['per_feature', 'none']).default('per_feature'))
        .option('--json', 'print {"nMels","frames","validFrames","data"} (data row-major [nMels][frames])')
        .action(async (audio, opts) => {
        const rate = numberOption('--sample-rate', opts.sampleRate, { integer: true, min: 1 });
        const samples = await loadAudio(audio, rate);
        const f = opts.frontend === 'nemo'
            ? nemoMelSpectrogram(samples, {
                sampleRate: rate,
                nMels: numberOption('--n-mels', opts.nMels, { integer: true, min: 1 }),
                windowSize: Math.trunc(0.025 * rate + 1e-9),
                hop: Math.trunc(0.01 * rate + 1e-9),
                nFft: 2 ** Math.ceil(Math.log2(Math.trunc(0.025 * rate + 1e-9))),
                framing: framingOption(opts.framing, opts.nemoVersion) ?? 'reflect',
                normalize: opts.normalize,
            })
            : wav2vec2Features(samples, true);
        if (opts.json) {
            // Float32 values print as their exact double value (shortest round-trip of the float32 is not needed).
            const parts = [];
            for (let i = 0; i < f.data.length; i++)
                parts.push(String(f.data[i]));
            process.stdout.write(`{"nMels":${f.nMels},"frames":${f.frames},"validFrames":${f.validFrames},"data":[${parts.join(',')}]}\n`);
        }
        else {
            let min = Infinity;
            let max = -Infinity;
            for (const v of f.data) {
                if (v < min)
                    min = v;
                if (v > max)
                    max = v;
            }
            process.stdout.write(`${audio}: ${opts.frontend} features ${f.nMels} x ${f.frames} (valid ${f.validFrames}), min ${min.toFixed(4)}, max ${max.toFixed(4)}\n`);
        }
    });
}
//# sourceMappingURL=features.js.map