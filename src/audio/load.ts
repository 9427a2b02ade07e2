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
  return (await readOrSniff(file, false)) as Uint8Array;
}

/**
 * `readAudioBytes`, or with `sniffLarge` the first bytes (`{ head }`) of a file past the synchronous read that is not
 * a WAV: ffmpeg then reads it by its path, and it is not read here first. One `stat` either way.
 */
async function readOrSniff(file: string, sniffLarge: boolean): Promise<Uint8Array | { head: Uint8Array }> {
  try {
    const st = statSync(file);
    if (st.isFile() && st.size <= SYNC_READ_BYTES) return readFileSync(file); // not a pipe: it could block
    if (st.isFile() && sniffLarge) {
      const head = fileHead(file, 12);
      if (!looksLikeWav(head)) return { head };
    }
  } catch {
    // reported by the asynchronous read below
  }
  return readFileAsync(file);
}

function fileHead(file: string, n: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const head = new Uint8Array(n);
    return head.subarray(0, readSync(fd, head, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Decode a file or in-memory buffer to channels at the native rate (WAV natively, anything else via ffmpeg). */
export async function decodeAudio(input: string | Uint8Array, source?: string): Promise<DecodedWav> {
  const name = source ?? (typeof input === 'string' ? input : '<buffer>');
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    let read: Uint8Array | { head: Uint8Array };
    try {
      read = await readOrSniff(input, true);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const what = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, expected an audio file' : err.message;
      throw new UserError(what, { source: name, code: 'E_AUDIO_READ', cause: e });
    }
    if (!(read instanceof Uint8Array)) return decodeNonWav(input, name, read.head);
    bytes = read;
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
