import type { FrontEndConfig } from './types.js';

/**
 * A canonical key of a front-end configuration: two configurations with the same key compute the same features,
 * so one computation per request serves every member that has it (`ensemble/runner`). Every setting is written
 * out in a fixed order with its default filled in, so neither property order nor an explicit default (`window:
 * 'hann'`, `highFreq` = sample_rate / 2) makes two equal front ends differ.
 */
export function frontEndKey(fe: FrontEndConfig): string {
  if (fe.kind === 'wav2vec2') return `wav2vec2 rate=${fe.sampleRate} normalize=${fe.doNormalize}`;
  const guard = fe.logZeroGuard ?? { type: 'add', value: 2 ** -24 };
  return [
    'nemo',
    `rate=${fe.sampleRate}`,
    `mels=${fe.nMels}`,
    `window=${fe.window ?? 'hann'}/${fe.windowSize}`,
    `hop=${fe.hop}`,
    `nfft=${fe.nFft}`,
    `preemph=${fe.preemph}`,
    `normalize=${fe.normalize}`,
    `framing=${fe.framing}`,
    `band=${fe.lowFreq ?? 0}-${fe.highFreq ?? fe.sampleRate / 2}`,
    `power=${fe.magPower ?? 2}`,
    `log=${fe.log ?? true}/${guard.type}/${guard.value}`,
  ].join(' ');
}
