import { AUDIO_LIMITS } from '../defaults.js';
import { UserError } from '../util/errors.js';
const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES = {
    0x0002: 'Microsoft ADPCM',
    0x0011: 'IMA ADPCM',
    0x0031: 'GSM 6.10',
    0x0050: 'MPEG',
    0x0055: 'MPEG layer 3',
    0x0092: 'Dolby AC3',
};
function ascii(bytes, start, len) {
    let s = '';
    for (let i = start; i < start + len && i < bytes.length; i++)
        s += String.fromCharCode(bytes[i]);
    return s;
}
/** The first bytes of a file, as text when printable, else hex (for error messages). */
export function printableHead(bytes, n = 4) {
    const head = Array.from(bytes.subarray(0, n));
    if (head.length === 0)
        return 'an empty file';
    if (head.every((b) => b >= 0x20 && b < 0x7f))
        return `"${String.fromCharCode(...head)}"`;
    return head.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
/** True when the bytes start like a RIFF/RIFX/RF64 WAVE file (so WAV-specific errors apply). */
export function looksLikeWav(bytes) {
    const tag = ascii(bytes, 0, 4);
    return tag === 'RIFF' || tag === 'RIFX' || tag === 'RF64';
}
/** G.711 mu-law byte to linear, scaled by 1/32768 (the 14-bit value is left-justified in 16 bits). */
export function mulawToLinear(u) {
    u = ~u & 0xff;
    const sign = u & 0x80;
    const exponent = (u >> 4) & 0x07;
    const mantissa = u & 0x0f;
    let sample = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    if (sign)
        sample = -sample;
    return sample / 32768;
}
/** G.711 A-law byte to linear, scaled by 1/32768. */
export function alawToLinear(a) {
    a ^= 0x55;
    const sign = a & 0x80;
    const exponent = (a >> 4) & 0x07;
    const mantissa = a & 0x0f;
    let sample = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
    if (sign === 0)
        sample = -sample;
    return sample / 32768;
}
/** Linear [-1,1] to G.711 mu-law byte (for writing test files). */
export function linearToMulaw(x) {
    const BIAS = 0x84;
    const CLIP = 32635;
    let s = Math.round(Math.max(-1, Math.min(1, x)) * 32767);
    const sign = s < 0 ? 0x80 : 0;
    if (s < 0)
        s = -s;
    if (s > CLIP)
        s = CLIP;
    s += BIAS;
    let exponent = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1)
        exponent--;
    const mantissa = (s >> (exponent + 3)) & 0x0f;
    return ~(sign | (exponent << 4) | mantissa) & 0xff;
}
/** Linear [-1,1] to G.711 A-law byte (for writing test files; ITU-T G.711 reference algorithm). */
export function linearToAlaw(x) {
    const segEnd = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
    let pcm = Math.max(-32768, Math.min(32767, Math.round(Math.max(-1, Math.min(1, x)) * 32768))) >> 3;
    let mask;
    if (pcm >= 0)
        mask = 0xd5;
    else {
        mask = 0x55;
        pcm = -pcm - 1;
    }
    let seg = 0;
    while (seg < 8 && pcm > segEnd[seg])
        seg++;
    if (seg >= 8)
        return (0x7f ^ mask) & 0xff;
    const aval = (seg << 4) | ((seg < 2 ? pcm >> 1 : pcm >> seg) & 0x0f);
    return (aval ^ mask) & 0xff;
}
/**
 * Decode a RIFF/WAVE file: PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE (with any of
 * those sub-formats), mu-law and A-law; any channel count; sample rates from 1 kHz to 384 kHz (AUDIO_LIMITS). Integer PCM is scaled by
 * 1/2^(bits-1) (8-bit is unsigned, offset 128). Errors are `UserError`s naming `source`.
 */
export function decodeWav(bytes, source = '<buffer>') {
    const fail = (msg, code = 'E_WAV') => {
        throw new UserError(msg, { source, code });
    };
    if (bytes.length < 12) {
        fail(bytes.length === 0
            ? 'empty file; expected a RIFF/WAVE file'
            : `file is only ${bytes.length} bytes; expected a RIFF/WAVE header of at least 12 bytes (truncated file?)`);
    }
    const riff = ascii(bytes, 0, 4);
    if (riff === 'RIFX')
        fail('big-endian RIFX WAV files are not supported; expected little-endian RIFF/WAVE');
    if (riff === 'RF64')
        fail('RF64 (64-bit) WAV files are not supported; expected a RIFF/WAVE file');
    if (riff !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') {
        fail(`not a RIFF/WAVE file (starts with ${printableHead(bytes)}${riff === 'RIFF' ? `, form type "${ascii(bytes, 8, 4)}"` : ''}); expected "RIFF....WAVE"`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let fmt;
    let dataStart = -1;
    let dataLen = 0;
    let pos = 12;
    while (pos + 8 <= bytes.length) {
        const id = ascii(bytes, pos, 4);
        const size = view.getUint32(pos + 4, true);
        const body = pos + 8;
        if (id === 'fmt ') {
            if (size < 16 || body + 16 > bytes.length)
                fail(`truncated "fmt " chunk (${Math.min(size, bytes.length - body)} bytes; expected at least 16)`);
            const formatTag = view.getUint16(body, true);
            const bitsPerSample = view.getUint16(body + 14, true);
            fmt = {
                formatTag,
                channels: view.getUint16(body + 2, true),
                sampleRate: view.getUint32(body + 4, true),
                blockAlign: view.getUint16(body + 12, true),
                bitsPerSample,
                validBits: bitsPerSample,
            };
            if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
                if (size < 40 || body + 40 > bytes.length)
                    fail(`WAVE_FORMAT_EXTENSIBLE "fmt " chunk is ${size} bytes; expected 40`);
                const valid = view.getUint16(body + 18, true);
                if (valid > 0)
                    fmt.validBits = valid;
                // SubFormat GUID: first two bytes are the format code, the rest is the KSDATAFORMAT suffix.
                fmt.formatTag = view.getUint16(body + 24, true);
                const suffix = Array.from(bytes.subarray(body + 26, body + 40))
                    .map((b) => b.toString(16).padStart(2, '0'))
                    .join('');
                if (suffix !== '000000001000800000aa00389b71') {
                    fail(`WAVE_FORMAT_EXTENSIBLE with an unknown SubFormat GUID; expected PCM, IEEE float, mu-law or A-law`, 'E_WAV_ENCODING');
                }
            }
        }
        else if (id === 'data') {
            dataStart = body;
            const available = bytes.length - body;
            if (size === 0xffffffff || (size === 0 && available > 0 && bytes.length > body)) {
                // Streaming writers (e.g. a piped ffmpeg) leave the size unset: take the rest of the file.
                dataLen = available;
            }
            else if (size > available) {
                fail(`truncated file: the data chunk declares ${size} bytes but only ${available} are present`);
            }
            else {
                dataLen = size;
            }
            if (fmt)
                break;
        }
        if (id !== 'data' && size > bytes.length - body) {
            fail(`truncated file: chunk "${id}" declares ${size} bytes but only ${bytes.length - body} are present`);
        }
        pos = body + size + (size & 1);
        if (id === 'data' && dataLen !== size)
            break;
    }
    if ((!fmt || dataStart < 0) && pos < bytes.length && pos + 8 > bytes.length) {
        fail(`truncated file: incomplete chunk header at byte ${pos} (${bytes.length - pos} of 8 bytes)${fmt ? '' : ' before any "fmt " chunk'}`);
    }
    if (!fmt)
        fail('no "fmt " chunk before the end of the file (truncated or not a WAVE file)');
    if (dataStart < 0)
        fail('no "data" chunk (truncated file?)');
    const f = fmt;
    if (f.channels === 0)
        fail('"fmt " chunk declares 0 channels');
    if (f.sampleRate < AUDIO_LIMITS.minSampleRate || f.sampleRate > AUDIO_LIMITS.maxSampleRate) {
        // Outside this range a header can make the work unbounded by the body size (1 Hz: a few bytes of
        // "audio" resample to minutes) or describe no real recording.
        fail(`"fmt " chunk declares a sample rate of ${f.sampleRate} Hz; expected ${AUDIO_LIMITS.minSampleRate} to ${AUDIO_LIMITS.maxSampleRate} Hz`, 'E_WAV_RATE');
    }
    let encoding;
    let bytesPerSample;
    let read;
    switch (f.formatTag) {
        case WAVE_FORMAT_PCM: {
            const b = f.bitsPerSample;
            if (b !== 8 && b !== 16 && b !== 24 && b !== 32) {
                fail(`unsupported PCM bit depth ${b}; expected 8, 16, 24 or 32`, 'E_WAV_ENCODING');
            }
            encoding = `PCM ${b}-bit`;
            bytesPerSample = b / 8;
            if (b === 8)
                read = (o) => (bytes[o] - 128) / 128;
            else if (b === 16)
                read = (o) => view.getInt16(o, true) / 32768;
            else if (b === 24)
                read = (o) => (((bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16)) << 8) >> 8) / 8388608;
            else
                read = (o) => view.getInt32(o, true) / 2147483648;
            break;
        }
        case WAVE_FORMAT_IEEE_FLOAT: {
            const b = f.bitsPerSample;
            if (b !== 32 && b !== 64)
                fail(`unsupported IEEE float width ${b} bits; expected 32 or 64`, 'E_WAV_ENCODING');
            encoding = `IEEE float ${b}-bit`;
            bytesPerSample = b / 8;
            read = b === 32 ? (o) => view.getFloat32(o, true) : (o) => view.getFloat64(o, true);
            break;
        }
        case WAVE_FORMAT_MULAW:
        case WAVE_FORMAT_ALAW: {
            if (f.bitsPerSample !== 8)
                fail(`G.711 ${f.formatTag === WAVE_FORMAT_MULAW ? 'mu' : 'A'}-law needs 8 bits per sample, got ${f.bitsPerSample}`, 'E_WAV_ENCODING');
            const table = new Float32Array(256);
            for (let i = 0; i < 256; i++)
                table[i] = f.formatTag === WAVE_FORMAT_MULAW ? mulawToLinear(i) : alawToLinear(i);
            encoding = f.formatTag === WAVE_FORMAT_MULAW ? 'mu-law' : 'A-law';
            bytesPerSample = 1;
            read = (o) => table[bytes[o]];
            break;
        }
        default: {
            const name = FORMAT_NAMES[f.formatTag] ?? `format tag 0x${f.formatTag.toString(16).padStart(4, '0')}`;
            return fail(`unsupported WAV encoding ${name}; expected PCM (8/16/24/32-bit), IEEE float (32/64-bit), mu-law or A-law` +
                ' (convert it, e.g. `ffmpeg -i in.wav -c:a pcm_s16le out.wav`)', 'E_WAV_ENCODING');
        }
    }
    const frameBytes = bytesPerSample * f.channels;
    const blockAlign = f.blockAlign >= frameBytes ? f.blockAlign : frameBytes;
    const n = Math.floor(dataLen / blockAlign);
    if (n === 0)
        fail(`contains zero samples (data chunk of ${dataLen} bytes); expected audio`, 'E_WAV_EMPTY');
    const channels = [];
    for (let c = 0; c < f.channels; c++)
        channels.push(new Float32Array(n));
    if (f.formatTag === WAVE_FORMAT_PCM && bytesPerSample === 2) {
        // The common case, without the per-sample closure and finiteness check (integers are always finite).
        for (let c = 0; c < f.channels; c++) {
            const ch = channels[c];
            for (let i = 0, o = dataStart + c * 2; i < n; i++, o += blockAlign)
                ch[i] = view.getInt16(o, true) / 32768;
        }
        return { sampleRate: f.sampleRate, channels, encoding };
    }
    for (let i = 0; i < n; i++) {
        const base = dataStart + i * blockAlign;
        for (let c = 0; c < f.channels; c++) {
            const v = read(base + c * bytesPerSample);
            if (!Number.isFinite(v)) {
                fail(`sample ${i} of channel ${c} is ${v} (${(i / f.sampleRate).toFixed(3)} s); audio must be finite`, 'E_WAV_NONFINITE');
            }
            channels[c][i] = v;
        }
    }
    return { sampleRate: f.sampleRate, channels, encoding };
}
/**
 * NeMo's `select_channels` for a mono model: null/'average' averages every channel; an index picks that
 * channel; a list picks those channels (averaged when several). An index past the last channel is an error,
 * as in NeMo.
 */
export function selectChannels(channels, selector, source = '<audio>') {
    if (selector === null || selector === 'average')
        return mixToMono(channels);
    const picks = typeof selector === 'number' ? [selector] : [...selector];
    const bad = picks.find((c) => !Number.isInteger(c) || c < 0 || c >= channels.length);
    if (bad !== undefined) {
        throw new UserError(`channel_selector ${JSON.stringify(selector)}: cannot select channel ${bad} from audio with ${channels.length} channel(s)`, {
            source,
            code: 'E_AUDIO_CHANNELS',
        });
    }
    return mixToMono(picks.map((c) => channels[c]));
}
/** Average the channels (NeMo's `channel_selector=None`), float32 like NeMo's numpy mean on float32 data. */
export function mixToMono(channels) {
    if (channels.length === 1)
        return channels[0];
    const n = channels[0].length;
    const out = new Float32Array(n);
    const k = channels.length;
    for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < k; c++)
            s += channels[c][i];
        out[i] = s / k;
    }
    return out;
}
/**
 * Encode one or more channels (interleaved on write) as a WAV file. Integer encodings clip to [-1, 1)
 * and round to nearest.
 */
export function encodeWav(samples, sampleRate, options = {}) {
    const channels = Array.isArray(samples) ? samples : [samples];
    const encoding = options.encoding ?? 'pcm16';
    const nch = channels.length;
    const n = channels[0]?.length ?? 0;
    const spec = {
        pcm8: [WAVE_FORMAT_PCM, 8],
        pcm16: [WAVE_FORMAT_PCM, 16],
        pcm24: [WAVE_FORMAT_PCM, 24],
        pcm32: [WAVE_FORMAT_PCM, 32],
        float32: [WAVE_FORMAT_IEEE_FLOAT, 32],
        float64: [WAVE_FORMAT_IEEE_FLOAT, 64],
        mulaw: [WAVE_FORMAT_MULAW, 8],
        alaw: [WAVE_FORMAT_ALAW, 8],
    };
    const [tag, bits] = spec[encoding];
    const bps = bits / 8;
    const fmtSize = options.extensible ? 40 : tag === WAVE_FORMAT_PCM ? 16 : 18;
    const dataLen = n * nch * bps;
    const total = 12 + 8 + fmtSize + 8 + dataLen + (dataLen & 1);
    const out = new Uint8Array(total);
    const v = new DataView(out.buffer);
    const str = (o, s) => {
        for (let i = 0; i < s.length; i++)
            out[o + i] = s.charCodeAt(i);
    };
    str(0, 'RIFF');
    v.setUint32(4, total - 8, true);
    str(8, 'WAVE');
    str(12, 'fmt ');
    v.setUint32(16, fmtSize, true);
    v.setUint16(20, options.extensible ? WAVE_FORMAT_EXTENSIBLE : tag, true);
    v.setUint16(22, nch, true);
    v.setUint32(24, sampleRate, true);
    v.setUint32(28, sampleRate * nch * bps, true);
    v.setUint16(32, nch * bps, true);
    v.setUint16(34, bits, true);
    if (fmtSize >= 18)
        v.setUint16(36, fmtSize - 18, true);
    if (options.extensible) {
        v.setUint16(38, bits, true);
        v.setUint32(40, nch === 1 ? 0x4 : nch === 2 ? 0x3 : 0, true);
        v.setUint16(44, tag, true);
        out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
    }
    const d = 12 + 8 + fmtSize;
    str(d, 'data');
    v.setUint32(d + 4, dataLen, true);
    let o = d + 8;
    const clip = (x) => (x > 1 ? 1 : x < -1 ? -1 : x);
    for (let i = 0; i < n; i++) {
        for (let c = 0; c < nch; c++) {
            const x = channels[c][i];
            switch (encoding) {
                case 'pcm8':
                    out[o] = Math.max(0, Math.min(255, Math.round(clip(x) * 128) + 128));
                    break;
                case 'pcm16':
                    v.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(clip(x) * 32768))), true);
                    break;
                case 'pcm24': {
                    const s = Math.max(-8388608, Math.min(8388607, Math.round(clip(x) * 8388608)));
                    out[o] = s & 0xff;
                    out[o + 1] = (s >> 8) & 0xff;
                    out[o + 2] = (s >> 16) & 0xff;
                    break;
                }
                case 'pcm32':
                    v.setInt32(o, Math.max(-2147483648, Math.min(2147483647, Math.round(clip(x) * 2147483648))), true);
                    break;
                case 'float32':
                    v.setFloat32(o, x, true);
                    break;
                case 'float64':
                    v.setFloat64(o, x, true);
                    break;
                case 'mulaw':
                    out[o] = linearToMulaw(x);
                    break;
                case 'alaw':
                    out[o] = linearToAlaw(x);
                    break;
            }
            o += bps;
        }
    }
    return out;
}
//# sourceMappingURL=wav.js.map