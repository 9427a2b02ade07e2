// ctc-ensemble/audio: decoding WAV (and other containers through ffmpeg), resampling.
export { loadAudio, decodeAudio } from './load.js';
export { decodeWav, encodeWav, mixToMono } from './wav.js';
export { resample, StreamingResampler } from './resample.js';
export { openAudioStream } from './stream.js';
//# sourceMappingURL=index.js.map