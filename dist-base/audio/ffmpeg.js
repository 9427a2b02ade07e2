import { spawn } from 'node:child_process';
import { UserError } from '../util/errors.js';
import { decodeWav } from './wav.js';
/** The ffmpeg executable: `$CTC_ENSEMBLE_FFMPEG` if set, else `ffmpeg` from PATH. */
export function ffmpegCommand() {
    return process.env.CTC_ENSEMBLE_FFMPEG || 'ffmpeg';
}
/** ffmpeg arguments decoding the first audio stream of `input` (a path, else stdin) to float32 WAV on stdout. */
function wavDecodeArgs(input) {
    return [
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
        '-i',
        typeof input === 'string' ? input : 'pipe:0',
        '-map',
        '0:a:0',
        '-vn',
        '-f',
        'wav',
        '-c:a',
        'pcm_f32le',
        'pipe:1',
    ];
}
/** Send `input`'s bytes to ffmpeg's stdin (a path: close stdin at once). */
function feedInput(child, input) {
    child.stdin.on('error', () => {
        /* ffmpeg may close stdin early on bad input; its exit status tells */
    });
    if (typeof input === 'string')
        child.stdin.end();
    else
        child.stdin.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
}
/**
 * Decode any container ffmpeg understands (flac, mp3, ogg, m4a, …) to float32 at its native rate and
 * channel count. Mixing and resampling are left to the caller so that every input goes through the same
 * (NeMo-style averaging, band-limited) path. `input` is a file path or the file's bytes.
 */
export async function decodeWithFfmpeg(input, source, why) {
    const cmd = ffmpegCommand();
    const args = wavDecodeArgs(input);
    const result = await new Promise((resolve) => {
        const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
        const out = [];
        let err = '';
        let spawnError;
        child.stdout.on('data', (b) => out.push(b));
        child.stderr.on('data', (b) => (err += b.toString()));
        child.on('error', (e) => {
            spawnError = e;
        });
        child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err, spawnError }));
        feedInput(child, input);
    });
    const prefix = why ? `${why}; ` : '';
    if (result.spawnError) {
        if (result.spawnError.code === 'ENOENT') {
            throw new UserError(`${prefix}decoding non-WAV audio (flac, mp3, ogg, …) needs ffmpeg, and "${cmd}" was not found on PATH. ` +
                'Install ffmpeg (e.g. `apt-get install ffmpeg`) or convert the file to WAV.', { source, code: 'E_FFMPEG_MISSING' });
        }
        throw new UserError(`${prefix}could not run ffmpeg ("${cmd}"): ${result.spawnError.message}`, { source, code: 'E_FFMPEG' });
    }
    if (result.code !== 0 || result.stdout.length === 0) {
        const msg = result.stderr.trim().split('\n').slice(-3).join(' | ') || `exit code ${result.code}`;
        throw new UserError(`${prefix}ffmpeg could not decode it as audio: ${msg}`, { source, code: 'E_AUDIO_DECODE' });
    }
    const bytes = new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength);
    return decodeWav(bytes, source);
}
/**
 * Start ffmpeg decoding `input` (a path, or bytes fed to its stdin) to a WAV stream of float32 samples on
 * its stdout, for reading as it is produced (`openAudioStream`): memory stays bounded by what the reader
 * holds, and the reader can stop (kill) it at any point, e.g. beyond a duration limit.
 */
export function spawnFfmpegWavStream(input) {
    const args = wavDecodeArgs(input);
    const child = spawn(ffmpegCommand(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    feedInput(child, input);
    return child;
}
/** The UserError for a failed ffmpeg start (`ENOENT`: not installed). */
export function ffmpegSpawnError(e, source, why) {
    const prefix = why ? `${why}; ` : '';
    const cmd = ffmpegCommand();
    if (e.code === 'ENOENT') {
        return new UserError(`${prefix}decoding non-WAV audio (flac, mp3, ogg, …) needs ffmpeg, and "${cmd}" was not found on PATH. ` +
            'Install ffmpeg (e.g. `apt-get install ffmpeg`) or convert the file to WAV.', { source, code: 'E_FFMPEG_MISSING' });
    }
    return new UserError(`${prefix}could not run ffmpeg ("${cmd}"): ${e.message}`, { source, code: 'E_FFMPEG' });
}
//# sourceMappingURL=ffmpeg.js.map