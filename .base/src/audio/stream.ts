/**
 * Audio as a stream of mono chunks at the file's own rate, so that long recordings are never held whole:
 * WAV files are read from disk block by block (seeking straight to a manifest `offset`); in-memory WAV
 * bytes are sliced; every other container is decoded by ffmpeg into a pipe that is read as it is produced
 * (backpressure keeps ffmpeg at most a pipe buffer ahead). `maxSeconds` is enforced while decoding: the
 * stream fails with `E_TOO_LONG` as soon as the limit is passed and ffmpeg is killed then, so a
 * highly compressed hour of silence costs one chunk of memory, not the decoded hour.
 *
 * Channels are averaged (NeMo `channel_selector=None`) chunk by chunk, exactly as `mixToMono` does
 * for a whole file, so the samples are identical to `decodeAudio` + `mixToMono`.
 */
import { promises as fs, statSync } from 'node:fs';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { UserError } from '../util/errors.js';
import { ffmpegSpawnError, spawnFfmpegWavStream } from './ffmpeg.js';
import { decodeWav, looksLikeWav, mixToMono, printableHead } from './wav.js';
import { readAudioBytes } from './load.js';

export interface AudioStreamOptions {
  /** Fail with `E_TOO_LONG` beyond this many seconds (of the span read). */
  maxSeconds?: number;
  /** Samples per chunk, in seconds of audio (default 1). */
  chunkSeconds?: number;
  /** NeMo manifest `offset`: start this many seconds into the file. */
  offsetSeconds?: number;
  /** NeMo manifest `duration`: read at most this many seconds (from the offset). */
  durationSeconds?: number;
  /** Name for error messages (default: the path, or "<buffer>"). */
  source?: string;
  /** Sample rate of a Float32Array input (default 16000). */
  sampleRate?: number;
}

export interface AudioStream {
  /** The file's own sample rate. */
  readonly sampleRate: number;
  /** Samples the stream will yield when the container says so (WAV), else null (ffmpeg). */
  readonly totalSamples: number | null;
  /** Mono chunks at `sampleRate`; may be iterated once. */
  chunks(): AsyncGenerator<Float32Array>;
  /** Stop early (kills ffmpeg, closes the file). Safe to call twice. */
  close(): Promise<void>;
}

const HEADER_PROBE = 1 << 20;

interface WavLayout {
  /** The header bytes up to the data body, the data size field set to "rest of the file". */
  prefix: Uint8Array;
  dataStart: number;
  /** Data bytes, or null when the size field is unset (streamed WAV). */
  dataBytes: number | null;
  frameBytes: number;
  channels: number;
  sampleRate: number;
}

/** Find the fmt and data chunks; null when the header is not within `bytes` (then decode whole). */
function wavLayout(bytes: Uint8Array, fileSize: number, source: string): WavLayout | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (p: number) => String.fromCharCode(bytes[p], bytes[p + 1], bytes[p + 2], bytes[p + 3]);
  let pos = 12;
  let fmt: { channels: number; sampleRate: number; blockAlign: number; bits: number } | null = null;
  while (pos + 8 <= bytes.length) {
    const id = tag(pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ' && body + 16 <= bytes.length) {
      fmt = {
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt || fmt.channels === 0 || fmt.sampleRate === 0 || fmt.bits === 0) return null; // let decodeWav explain
      const available = fileSize - body;
      const unset = size === 0xffffffff || (size === 0 && available > 0);
      if (!unset && size > available) {
        throw new UserError(`truncated file: the data chunk declares ${size} bytes but only ${available} are present`, { source, code: 'E_WAV' });
      }
      const prefix = bytes.slice(0, body);
      new DataView(prefix.buffer).setUint32(body - 4, 0xffffffff, true);
      const frameBytes = Math.max(fmt.blockAlign, Math.ceil(fmt.bits / 8) * fmt.channels);
      return { prefix, dataStart: body, dataBytes: unset ? null : size, frameBytes, channels: fmt.channels, sampleRate: fmt.sampleRate };
    }
    pos = body + size + (size & 1);
  }
  return null;
}

/** `known`: the container gave the whole length; else decoding stopped at the limit. */
function tooLong(seconds: number, max: number, source: string, known = true): UserError {
  const what = known ? `the audio is ${seconds.toFixed(1)} s long` : `the audio is longer than ${max} s (decoding stopped there)`;
  return new UserError(`${what}; the limit is ${max} s`, { source, code: 'E_TOO_LONG' });
}

/** Apply offset/duration/maximum to a sample count (samples of the span to read). */
function spanOf(rate: number, o: AudioStreamOptions): { skip: number; take: number } {
  const skip = Math.max(0, Math.round((o.offsetSeconds ?? 0) * rate));
  const take = o.durationSeconds !== undefined && o.durationSeconds > 0 ? Math.round(o.durationSeconds * rate) : Infinity;
  return { skip, take };
}

/**
 * Open `input` (a path, encoded bytes, or mono samples) as a chunked mono stream. WAV headers are
 * validated up front; ffmpeg errors surface when the chunks are read.
 */
export async function openAudioStream(input: string | Uint8Array | Float32Array, options: AudioStreamOptions = {}): Promise<AudioStream> {
  const source = options.source ?? (typeof input === 'string' ? input : '<buffer>');
  const chunkSeconds = options.chunkSeconds ?? 1;
  if (input instanceof Float32Array) return samplesStream(input, options.sampleRate ?? 16000, chunkSeconds, options, source);

  let head: Uint8Array;
  let fileSize: number;
  let fd: fs.FileHandle | null = null;
  if (typeof input === 'string') {
    try {
      fd = await fs.open(input, 'r');
      fileSize = (await fd.stat()).size;
      const buf = new Uint8Array(Math.min(HEADER_PROBE, fileSize));
      const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } catch (e) {
      await fd?.close().catch(() => undefined);
      const err = e as NodeJS.ErrnoException;
      const what = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, expected an audio file' : err.message;
      throw new UserError(what, { source, code: 'E_AUDIO_READ', cause: e });
    }
  } else {
    head = input;
    fileSize = input.length;
  }
  if (fileSize === 0) {
    await fd?.close();
    throw new UserError('empty file (0 bytes); expected audio', { source, code: 'E_WAV_EMPTY' });
  }
  if (looksLikeWav(head)) {
    let layout: WavLayout | null;
    try {
      layout = wavLayout(head, fileSize, source);
      if (!layout) {
        // Unusual header (or an error decodeWav words best): decode it whole, as before.
        const bytes = fd ? await fs.readFile(input as string) : (input as Uint8Array);
        const d = decodeWav(bytes, source);
        await fd?.close();
        fd = null;
        return samplesStream(mixToMono(d.channels), d.sampleRate, chunkSeconds, options, source);
      }
      // Validate the header and the first samples now, so that bad files fail before any work.
      const firstLen = Math.min(fileSize - layout.dataStart, layout.frameBytes * 64);
      const first = fd ? new Uint8Array(firstLen) : (input as Uint8Array).subarray(layout.dataStart, layout.dataStart + firstLen);
      if (fd) await fd.read(first, 0, firstLen, layout.dataStart);
      const probe = new Uint8Array(layout.prefix.length + first.length);
      probe.set(layout.prefix);
      probe.set(first, layout.prefix.length);
      decodeWav(probe, source);
    } catch (e) {
      await fd?.close().catch(() => undefined);
      throw e;
    }
    return wavStream(layout, fd, typeof input === 'string' ? null : input, fileSize, chunkSeconds, options, source);
  }
  await fd?.close();
  return ffmpegStream(input, chunkSeconds, options, source, `not a RIFF/WAVE file (starts with ${printableHead(head)})`);
}

function samplesStream(mono: Float32Array, rate: number, chunkSeconds: number, o: AudioStreamOptions, source: string): AudioStream {
  const { skip, take } = spanOf(rate, o);
  const end = Math.min(mono.length, skip + take);
  const total = Math.max(0, end - skip);
  const step = Math.max(1, Math.round(chunkSeconds * rate));
  return {
    sampleRate: rate,
    totalSamples: total,
    async *chunks() {
      if (total === 0) throw new UserError('contains zero samples in the requested span; expected audio', { source, code: 'E_WAV_EMPTY' });
      if (o.maxSeconds !== undefined && total / rate > o.maxSeconds) throw tooLong(total / rate, o.maxSeconds, source);
      for (let p = skip; p < end; p += step) yield mono.subarray(p, Math.min(end, p + step));
    },
    close: async () => undefined,
  };
}

function wavStream(
  layout: WavLayout,
  fd: fs.FileHandle | null,
  bytes: Uint8Array | null,
  fileSize: number,
  chunkSeconds: number,
  o: AudioStreamOptions,
  source: string,
): AudioStream {
  const rate = layout.sampleRate;
  const dataBytes = layout.dataBytes ?? fileSize - layout.dataStart;
  const frames = Math.floor(Math.min(dataBytes, fileSize - layout.dataStart) / layout.frameBytes);
  const { skip, take } = spanOf(rate, o);
  const first = Math.min(frames, skip);
  const last = Math.min(frames, skip + take);
  const framesPerChunk = Math.max(1, Math.round(chunkSeconds * rate));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fd?.close().catch(() => undefined);
  };
  return {
    sampleRate: rate,
    totalSamples: last - first,
    async *chunks() {
      try {
        if (last - first === 0) throw new UserError('contains zero samples in the requested span; expected audio', { source, code: 'E_WAV_EMPTY' });
        if (o.maxSeconds !== undefined && (last - first) / rate > o.maxSeconds) throw tooLong((last - first) / rate, o.maxSeconds, source);
        const block = new Uint8Array(layout.prefix.length + framesPerChunk * layout.frameBytes);
        block.set(layout.prefix);
        for (let f = first; f < last && !closed; f += framesPerChunk) {
          const n = Math.min(framesPerChunk, last - f);
          const at = layout.dataStart + f * layout.frameBytes;
          const len = n * layout.frameBytes;
          if (fd) {
            const { bytesRead } = await fd.read(block, layout.prefix.length, len, at);
            if (bytesRead < len) throw new UserError(`file shrank while reading (at byte ${at + bytesRead})`, { source, code: 'E_AUDIO_READ' });
          } else {
            block.set(bytes!.subarray(at, at + len), layout.prefix.length);
          }
          const d = decodeWav(block.subarray(0, layout.prefix.length + len), source);
          yield mixToMono(d.channels);
        }
      } finally {
        await close();
      }
    },
    close,
  };
}

function ffmpegStream(input: string | Uint8Array, chunkSeconds: number, o: AudioStreamOptions, source: string, why: string): AudioStream {
  let child: ChildProcessWithoutNullStreams | null = null;
  let closed = false;
  const close = async (): Promise<void> => {
    closed = true;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // The rate is known only once ffmpeg has written its header; `sampleRate` is set before the first chunk.
  const stream = {
    sampleRate: 0,
    totalSamples: null,
    close,
    async *chunks(): AsyncGenerator<Float32Array> {
      const c = spawnFfmpegWavStream(input);
      child = c;
      let spawnError: NodeJS.ErrnoException | null = null;
      let stderr = '';
      c.on('error', (e: NodeJS.ErrnoException) => {
        spawnError = e;
      });
      c.stderr.on('data', (b: Buffer) => {
        if (stderr.length < 8192) stderr += b.toString();
      });
      const exited = new Promise<number | null>((resolve) => c.on('close', (code) => resolve(code)));
      let pending = new Uint8Array(0);
      let layout: WavLayout | null = null;
      let skipLeft = 0;
      let takeLeft = Infinity;
      let produced = 0;
      let out = new Float32Array(0);
      let outLen = 0;
      let step = 0;
      const failed = async (): Promise<UserError> => {
        await exited;
        if (spawnError) return ffmpegSpawnError(spawnError, source, why);
        const msg = stderr.trim().split('\n').slice(-3).join(' | ') || `exit code ${c.exitCode}`;
        return new UserError(`${why}; ffmpeg could not decode it as audio: ${msg}`, { source, code: 'E_AUDIO_DECODE' });
      };
      try {
        for await (const buf of c.stdout as AsyncIterable<Buffer>) {
          if (closed) break;
          const joined = new Uint8Array(pending.length + buf.length);
          joined.set(pending);
          joined.set(buf, pending.length);
          pending = joined;
          if (!layout) {
            if (pending.length < 12) continue;
            layout = wavLayout(pending, Infinity, source);
            if (!layout) {
              if (pending.length > HEADER_PROBE) throw new UserError(`${why}; ffmpeg produced no WAV data header`, { source, code: 'E_AUDIO_DECODE' });
              continue;
            }
            stream.sampleRate = layout.sampleRate;
            ({ skip: skipLeft, take: takeLeft } = spanOf(layout.sampleRate, o));
            step = Math.max(1, Math.round(chunkSeconds * layout.sampleRate));
            out = new Float32Array(step);
            pending = pending.slice(layout.dataStart);
          }
          const frameBytes = layout.frameBytes;
          const nFrames = Math.floor(pending.length / frameBytes);
          if (nFrames === 0) continue;
          const view = new DataView(pending.buffer, pending.byteOffset, nFrames * frameBytes);
          const ch = layout.channels;
          for (let f = 0; f < nFrames; f++) {
            if (skipLeft > 0) {
              skipLeft--;
              continue;
            }
            if (takeLeft <= 0) break;
            let s = 0;
            for (let k = 0; k < ch; k++) s += view.getFloat32(f * frameBytes + 4 * k, true);
            const v = ch === 1 ? s : Math.fround(s) / ch;
            if (!Number.isFinite(v)) throw new UserError(`sample ${produced} is ${v}; audio must be finite`, { source, code: 'E_WAV_NONFINITE' });
            out[outLen++] = v;
            takeLeft--;
            produced++;
            if (o.maxSeconds !== undefined && produced > o.maxSeconds * layout.sampleRate)
              throw tooLong(produced / layout.sampleRate, o.maxSeconds, source, false);
            if (outLen === step) {
              yield out;
              out = new Float32Array(step);
              outLen = 0;
            }
          }
          pending = pending.slice(nFrames * frameBytes);
          if (takeLeft <= 0) break;
        }
        if (!closed && takeLeft > 0) {
          const code = await exited;
          if (code !== 0 || !layout) throw await failed();
        }
        if (outLen > 0) yield out.subarray(0, outLen);
        if (produced === 0) throw new UserError('contains zero samples in the requested span; expected audio', { source, code: 'E_WAV_EMPTY' });
      } finally {
        await close();
      }
    },
  };
  return stream as AudioStream;
}

/** A WAV file this size or smaller may be read whole by `readShortAudio` (48 kHz stereo float32, 20 s, plus headers). */
const SHORT_FILE_BYTES = 8 << 20;

/**
 * The whole of a short input as one mono array, when `openAudioStream` would give exactly these samples and
 * reading them at once is cheaper (one read, no chunk loop): WAV files / bytes and raw samples, no offset or
 * duration, at most `upToSeconds` long and within `maxSeconds`. Null for everything else, errors included
 * (unreadable file, bad header, ffmpeg containers): the stream then reads it and reports what is wrong.
 */
export async function readShortAudio(
  input: string | Uint8Array | Float32Array,
  upToSeconds: number,
  options: Pick<AudioStreamOptions, 'maxSeconds' | 'offsetSeconds' | 'durationSeconds' | 'sampleRate' | 'source'> = {},
): Promise<{ mono: Float32Array; sampleRate: number } | null> {
  if ((options.offsetSeconds ?? 0) !== 0 || options.durationSeconds !== undefined) return null;
  const fits = (samples: number, rate: number): boolean =>
    samples > 0 && rate > 0 && samples <= upToSeconds * rate && (options.maxSeconds === undefined || samples / rate <= options.maxSeconds);
  if (input instanceof Float32Array) {
    const rate = options.sampleRate ?? 16000;
    return fits(input.length, rate) ? { mono: input, sampleRate: rate } : null;
  }
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      const st = statSync(input);
      if (!st.isFile() || st.size > SHORT_FILE_BYTES || st.size === 0) return null;
      bytes = await readAudioBytes(input);
    } catch {
      return null;
    }
  } else {
    bytes = input;
  }
  if (!looksLikeWav(bytes)) return null;
  try {
    const d = decodeWav(bytes, options.source ?? (typeof input === 'string' ? input : '<buffer>'));
    const n = d.channels[0]?.length ?? 0;
    return fits(n, d.sampleRate) ? { mono: mixToMono(d.channels), sampleRate: d.sampleRate } : null;
  } catch {
    return null;
  }
}
