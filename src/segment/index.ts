// ctc-ensemble/segment: voice-activity detection (Silero VAD) and long-form segmentation, word timings, subtitles.
export { SileroVad, sileroModelPath } from './silero.js';
export { VoiceActivityDetector, detectSpeech, resolveVadOptions, type VadOptions, type VadEvent } from './vad.js';
export { segmentStream, type SpeechSegment, type SegmentOptions } from './segmenter.js';
export { wordTimings, type WordTiming } from './timestamps.js';
export { buildCues, toSrt, toVtt, type Cue, type CueOptions } from './subtitles.js';
export { VAD_DEFAULTS, LONGFORM_DEFAULTS, SUBTITLE_DEFAULTS } from './defaults.js';
export { modelTranscript, type ModelTranscript, type ModelTranscriptOptions } from './model-transcript.js';
