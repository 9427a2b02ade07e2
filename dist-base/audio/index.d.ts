export { loadAudio, decodeAudio } from './load.js';
export { decodeWav, encodeWav, mixToMono, type DecodedWav, type WavEncoding, type EncodeWavOptions } from './wav.js';
export { resample, StreamingResampler, type ResampleOptions } from './resample.js';
export { openAudioStream, type AudioStream, type AudioStreamOptions } from './stream.js';
