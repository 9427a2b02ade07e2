import { type ChildProcessWithoutNullStreams } from 'node:child_process';
import { UserError } from '../util/errors.js';
import { type DecodedWav } from './wav.js';
/** The ffmpeg executable: `$CTC_ENSEMBLE_FFMPEG` if set, else `ffmpeg` from PATH. */
export declare function ffmpegCommand(): string;
/**
 * Decode any container ffmpeg understands (flac, mp3, ogg, m4a, …) to float32 at its native rate and
 * channel count. Mixing and resampling are left to the caller so that every input goes through the same
 * (NeMo-style averaging, band-limited) path. `input` is a file path or the file's bytes.
 */
export declare function decodeWithFfmpeg(input: string | Uint8Array, source: string, why?: string): Promise<DecodedWav>;
/**
 * Start ffmpeg decoding `input` (a path, or bytes fed to its stdin) to a WAV stream of float32 samples on
 * its stdout, for reading as it is produced (`openAudioStream`): memory stays bounded by what the reader
 * holds, and the reader can stop (kill) it at any point, e.g. beyond a duration limit.
 */
export declare function spawnFfmpegWavStream(input: string | Uint8Array): ChildProcessWithoutNullStreams;
/** The UserError for a failed ffmpeg start (`ENOENT`: not installed). */
export declare function ffmpegSpawnError(e: NodeJS.ErrnoException, source: string, why?: string): UserError;
