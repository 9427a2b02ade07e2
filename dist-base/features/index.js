export { nemoMelSpectrogram, nemoFrontEnd, nemoValidFrames, slaneyMelFilterbank, nemoFramingForVersion, NEMO_FRAMINGS, } from './nemo-mel.js';
export { wav2vec2Normalize, wav2vec2Features } from './wav2vec2.js';
export { frontEndKey } from './front-end-key.js';
//# sourceMappingURL=index.js.map