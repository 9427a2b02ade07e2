/**
 * NeMo's STFT framing. 'reflect': centre padding by reflection, `L//hop + 1` valid frames (every NeMo release
 * up to v2.4.x). 'zero-pad': zero centre padding, the last frame masked, `L//hop` valid frames (NeMo commit
 * 0fd4de534b, first released in v2.5.0rc0).
 */
export type NemoFraming = 'reflect' | 'zero-pad';

/** The windows of NeMo's FilterbankFeatures (`torch_windows`), symmetric (periodic=False). */
export type NemoWindow = 'hann' | 'hamming' | 'blackman' | 'bartlett';

/** What a model's front end is: NeMo's log-mel preprocessor or wav2vec2's waveform normalisation. */
export type FrontEndConfig =
  | {
      kind: 'nemo';
      sampleRate: number;
      nMels: number;
      windowSize: number; // samples
      hop: number; // samples
      nFft: number;
      preemph: number;
      normalize: 'per_feature' | 'none';
      /** STFT framing: see `NemoFraming`. */
      framing: NemoFraming;
      /**
       * Less common NeMo preprocessor settings, present only when not NeMo's default (so equal front ends stay
       * equal): `window` (torch window, periodic=False; default hann), `lowFreq`/`highFreq` (mel range in Hz;
       * default 0 / sample_rate/2), `magPower` (default 2, the power spectrum), `log` (default true) and
       * `logZeroGuard` (default add 2^-24).
       */
      window?: NemoWindow;
      lowFreq?: number;
      highFreq?: number;
      magPower?: number;
      log?: boolean;
      logZeroGuard?: { type: 'add' | 'clamp'; value: number };
    }
  | { kind: 'wav2vec2'; sampleRate: number; doNormalize: boolean };

/**
 * Front-end output of one utterance (`CtcModel.computeFeatures`), shared read-only between models whose
 * `frontEnd` configs are identical. NeMo layouts: log-mel features row-major [nMels][frames].
 * wav2vec2: the (normalised) samples.
 */
export type ModelFeatures =
  | {
      readonly kind: 'nemo';
      readonly samples: number;
      readonly data: Float32Array;
      readonly nMels: number;
      readonly frames: number;
      readonly validFrames: number;
    }
  | { readonly kind: 'wav2vec2'; readonly samples: number; readonly values: Float32Array };
