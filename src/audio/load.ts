import { closeSync, openSync, readFile, readFileSync, readSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { UserError } from '../util/errors.js';
import { decodeWav, looksLikeWav, mixToMono, printableHead, type DecodedWav } from './wav.js';
import { decodeWithFfmpeg } from './ffmpeg.js';
import { resample } from './resample.js';

// The callback readFile: a third of the fixed cost of fs/promises' (chunked) readFile for a short WAV.
const readFileAsync = promisify(readFile);

/** Files up to this size are read synchronously (8 s of 16 kHz 16-bit audio: tens of µs from the page cache). */
export const SYNC_READ_BYTES = 256 << 10;

/**
 * The bytes of an audio file. A short utterance is read synchronously, as sherpa-onnx and KenLM tools do: the
 * asynchronous read's thread-pool round trip costs more than the read itself (and much more on a busy machine);
 * anything larger, or anything that fails, goes through the asynchronous read (which reports the error).
 */
export async function readAudioBytes(file: string): Promise<Uint8Array> {
  try {
    const st = statSync(file);
    if (st.isFile() && st.size <= SYNC_READ_BYTES) return readFileSync(file); // not a pipe: it could block
  } catch {
    // reported by the asynchronous read below
  }
  return readFileAsync(file);
}

/**
 * The first bytes of a file larger than `SYNC_READ_BYTES` (enough to tell a WAV), or null for a smaller file or one
 * that cannot be read that way (the whole read then reports what is wrong).
 */
function largeFileHead(file: string): Uint8Array | null {
  let fd: number | null = null;
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size <= SYNC_READ_BYTES) return null;
    fd = openSync(file, 'r');
    const head = new Uint8Array(12);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Decode a file or in-memory buffer to channels at the native rate (WAV natively, anything else via ffmpeg). */
export async function decodeAudio(input: string | Uint8Array, source?: string): Promise<DecodedWav> {
  const name = source ?? (typeof input === 'string' ? input : '<buffer>');
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    // A large file that is not WAV goes to ffmpeg by its path without being read here first.
    const head = largeFileHead(input);
    if (head && !looksLikeWav(head)) return decodeNonWav(input, name, head);
    try {
      bytes = await readAudioBytes(input);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const what = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, expected an audio file' : err.message;
      throw new UserError(what, { source: name, code: 'E_AUDIO_READ', cause: e });
    }
  } else {
    bytes = input;
  }
  if (bytes.length === 0) throw new UserError('empty file (0 bytes); expected audio', { source: name, code: 'E_WAV_EMPTY' });
  if (looksLikeWav(bytes)) return decodeWav(bytes, name);
  return decodeNonWav(typeof input === 'string' ? input : bytes, name, bytes);
}

async function decodeNonWav(input: string | Uint8Array, name: string, head: Uint8Array): Promise<DecodedWav> {
  const decoded = await decodeWithFfmpeg(input, name, `not a RIFF/WAVE file (starts with ${printableHead(head)})`);
  const n = decoded.channels[0]?.length ?? 0;
  if (n === 0) throw new UserError('contains zero samples; expected audio', { source: name, code: 'E_WAV_EMPTY' });
  return decoded;
}

/**
 * Load audio as mono float32 at `targetRate`: channels averaged (NeMo `channel_selector=None`), then the
 * band-limited resampler when the file's rate differs.
 */
export async function loadAudio(input: string | Uint8Array, targetRate: number, source?: string): Promise<Float32Array> {
  const decoded = await decodeAudio(input, source);
  const mono = mixToMono(decoded.channels);
  return resample(mono, decoded.sampleRate, targetRate);
}
