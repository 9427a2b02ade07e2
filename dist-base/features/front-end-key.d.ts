import type { FrontEndConfig } from './types.js';
/**
 * A canonical key of a front-end configuration: two configurations with the same key compute the same features,
 * so one computation per request serves every member that has it (`ensemble/runner`). Every setting is written
 * out in a fixed order with its default filled in, so neither property order nor an explicit default (`window:
 * 'hann'`, `highFreq` = sample_rate / 2) makes two equal front ends differ.
 */
export declare function frontEndKey(fe: FrontEndConfig): string;
