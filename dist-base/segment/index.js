// ctc-ensemble/segment: voice-activity detection (Silero VAD) and long-form segmentation, word timings, subtitles.
export { SileroVad, sileroModelPath } from './silero.js';
export { VoiceActivityDetector, detectSpeech, resolveVadOptions } from './vad.js';
export { segmentStream } from './segmenter.js';
export { wordTimings } from './timestamps.js';
export { buildCues, toSrt, toVtt } from './subtitles.js';
export { VAD_DEFAULTS, LONGFORM_DEFAULTS, SUBTITLE_DEFAULTS } from './defaults.js';
//# sourceMappingURL=index.js.map