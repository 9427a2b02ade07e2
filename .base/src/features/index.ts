// ctc-ensemble/features: the models' front ends (NeMo log-mel, wav2vec2 normalisation).
export type { FrontEndConfig, ModelFeatures, NemoFraming, NemoWindow } from './types.js';
export {
  nemoMelSpectrogram,
  nemoFrontEnd,
  nemoValidFrames,
  slaneyMelFilterbank,
  nemoFramingForVersion,
  NEMO_FRAMINGS,
  type Features,
  type NemoFrontEndConfig,
} from './nemo-mel.js';
export { wav2vec2Normalize, wav2vec2Features } from './wav2vec2.js';
export { frontEndKey } from './front-end-key.js';
