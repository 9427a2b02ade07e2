/**
 * What the selector reads (beyond NeMo, opt-in). NeMo's selector sees one confidence per member; with
 * `selector: { features: [...] }` in the build YAML it also sees, in this fixed order after the confidences:
 *
 * - `blank_share` (per member): share of blank argmax frames between the member's first and last token;
 * - `token_rate` (per member): tokens of the greedy path per second between its first and last token
 *   (both leave out leading/trailing silence, which differs between recordings and VAD-cut segments);
 * - `acoustic` (per input, computed once): `AcousticSummary` (features/acoustic-summary.ts) — log duration,
 *   log share of energy above the telephone band, mean (relative) and spread of log-mel energy in 10 bands, on
 *   NeMo's default log-mel before normalisation (a NeMo member's own frames when its front end is that one).
 *
 * The same code computes them in `ensemble build`, in inference (short inputs, long-form per segment and per
 * file, early routing: through `SelectorFeatureAccumulator`), so training and use see identical numbers.
 * The selector's standard scaler (mean/scale fitted on the training rows, stored) standardises them as it does
 * the confidences. `[confidence]` alone is NeMo's selector, stored as before (selector version 1).
 */
import type { PosteriorCounts } from '../confidence/posterior-stats.js';
import { ACOUSTIC_SUMMARY, AcousticSummary, acousticFeatureNames, type AcousticLogMel } from '../features/acoustic-summary.js';
import { UserError } from '../util/errors.js';

export const SELECTOR_FEATURE_GROUPS = ['confidence', 'blank_share', 'token_rate', 'acoustic'] as const;
export type SelectorFeatureGroup = (typeof SELECTOR_FEATURE_GROUPS)[number];

/**
 * Version of the feature definitions this build computes; a selector needing a newer one is refused, and so is one
 * with `acoustic` of an older version (version 2 redefined the acoustic summary; blank_share and token_rate are unchanged).
 */
export const SELECTOR_FEATURES_VERSION = ACOUSTIC_SUMMARY.version;

/** Stored with a selector that reads more than the confidences. */
export interface SelectorFeaturesJSON {
  version: number;
  groups: SelectorFeatureGroup[];
  /** One name per selector input column (checked against the groups when read). */
  names: string[];
}

/** The groups in canonical order, validated; `source` names the YAML key or JSON field in errors. */
export function normalizeFeatureGroups(groups: readonly unknown[], source: string): SelectorFeatureGroup[] {
  const seen = new Set<string>();
  for (const [i, g] of groups.entries()) {
    if (typeof g !== 'string' || !(SELECTOR_FEATURE_GROUPS as readonly string[]).includes(g)) {
      throw new UserError(
        `${JSON.stringify(g)} is not a selector feature this version of ctc-ensemble computes (known: ${SELECTOR_FEATURE_GROUPS.join(', ')})`,
        { source: `${source}[${i}]`, code: 'E_SELECTOR_FEATURES' },
      );
    }
    if (seen.has(g)) throw new UserError(`"${g}" is listed twice`, { source: `${source}[${i}]`, code: 'E_SELECTOR_FEATURES' });
    seen.add(g);
  }
  if (!seen.has('confidence')) throw new UserError('must include "confidence" (the members\' confidences)', { source, code: 'E_SELECTOR_FEATURES' });
  return SELECTOR_FEATURE_GROUPS.filter((g) => seen.has(g));
}

/** Column names for `groups` over members `names`. */
export function selectorFeatureNames(groups: readonly SelectorFeatureGroup[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (const g of groups) {
    if (g === 'acoustic') out.push(...acousticFeatureNames().map((n) => `acoustic:${n}`));
    else out.push(...names.map((n) => `${g}:${n}`));
  }
  return out;
}

/** True when `groups` needs more than the confidences (i.e. is not NeMo's selector). */
export function hasExtraFeatures(groups: readonly SelectorFeatureGroup[] | undefined): boolean {
  return !!groups && groups.some((g) => g !== 'confidence');
}

/** Per member, what blank_share and token_rate are computed from (sums over segments). */
export interface MemberSpanSums {
  tokens: number;
  spanFrames: number;
  spanBlankFrames: number;
  /** Seconds of the spans (span frames × the segment's seconds per frame). */
  spanSeconds: number;
}

/** One segment's `MemberSpanSums` from a member's counts over `seconds` of audio. */
export function memberSpanSums(c: PosteriorCounts, seconds: number): MemberSpanSums {
  return {
    tokens: c.tokens,
    spanFrames: c.spanFrames,
    spanBlankFrames: c.spanBlankFrames,
    spanSeconds: c.frames > 0 ? (c.spanFrames * seconds) / c.frames : 0,
  };
}

/** The extra (non-confidence) inputs of one utterance or file, accumulated over its segments. */
export class SelectorFeatureAccumulator {
  private readonly acoustic: AcousticSummary | null;
  private readonly sums: MemberSpanSums[];
  private seconds = 0;

  constructor(
    readonly groups: readonly SelectorFeatureGroup[],
    readonly members: number,
  ) {
    this.acoustic = groups.includes('acoustic') ? new AcousticSummary() : null;
    this.sums = Array.from({ length: members }, () => ({ tokens: 0, spanFrames: 0, spanBlankFrames: 0, spanSeconds: 0 }));
  }

  /** True when `add` needs the 16 kHz samples. */
  get needsAudio(): boolean {
    return this.acoustic !== null;
  }

  /**
   * One segment: its length, its 16 kHz samples (when `needsAudio`) and every member's posterior counts; `logMel`:
   * the acoustic summary's frames of those samples when a member's front end already computed them (no second STFT).
   */
  add(seconds: number, counts: readonly PosteriorCounts[], samples16k?: Float32Array, logMel?: AcousticLogMel): this {
    this.addAudio(samples16k, logMel);
    return this.addMemberCounts(seconds, counts);
  }

  /**
   * `add` in two halves, for a caller that has the audio before the posteriors (the summary is then computed while
   * the members run): first the segment's audio (as `add`), then its length and counts. Each segment needs both.
   */
  addAudio(samples16k?: Float32Array, logMel?: AcousticLogMel): this {
    if (this.fixedAcoustic) throw new Error('this accumulator holds a whole input (addWhole)');
    if (this.acoustic) {
      if (!samples16k) throw new Error('the acoustic selector features need the 16 kHz samples');
      if (logMel) this.acoustic.addLogMel(samples16k.length, logMel);
      else this.acoustic.add(samples16k);
    }
    return this;
  }

  /** The second half of `add`: the segment's length and every member's posterior counts. */
  addMemberCounts(seconds: number, counts: readonly PosteriorCounts[]): this {
    if (this.fixedAcoustic) throw new Error('this accumulator holds a whole input (addWhole)');
    this.addCounts(seconds, counts);
    return this;
  }

  /**
   * One whole input whose acoustic summary is already computed (`acousticFeatures`: `AcousticSummary.features()` of
   * these very samples, e.g. by the domain gate): as `add`, without computing it again.
   */
  addWhole(seconds: number, counts: readonly PosteriorCounts[], acousticFeatures: readonly number[]): this {
    if (this.seconds !== 0 || this.fixedAcoustic) throw new Error('addWhole: the accumulator already holds audio');
    this.addCounts(seconds, counts);
    if (this.acoustic) this.fixedAcoustic = [...acousticFeatures];
    return this;
  }

  private fixedAcoustic: number[] | null = null;

  private addCounts(seconds: number, counts: readonly PosteriorCounts[]): void {
    if (counts.length !== this.members) throw new RangeError(`expected counts of ${this.members} members, got ${counts.length}`);
    this.seconds += seconds;
    counts.forEach((c, i) => {
      const s = memberSpanSums(c, seconds);
      this.sums[i].tokens += s.tokens;
      this.sums[i].spanFrames += s.spanFrames;
      this.sums[i].spanBlankFrames += s.spanBlankFrames;
      this.sums[i].spanSeconds += s.spanSeconds;
    });
  }

  /** The values after the confidences, in column order. */
  extras(): number[] {
    return selectorExtras(this.groups, this.sums, this.fixedAcoustic ?? (this.acoustic ? this.acoustic.features() : null));
  }

  /** The selector's input row: the confidences (member order), then `extras()`. */
  row(confidences: readonly number[]): number[] {
    return [...confidences, ...this.extras()];
  }
}

/**
 * The values after the confidences, in column order, from their ingredients: each member's span sums and the
 * acoustic summary's values (null when `acoustic` is not among the groups).
 * `ensemble build` (values from its cache) and `SelectorFeatureAccumulator` both end here.
 */
export function selectorExtras(groups: readonly SelectorFeatureGroup[], sums: readonly MemberSpanSums[], acoustic: readonly number[] | null): number[] {
  const out: number[] = [];
  for (const g of groups) {
    if (g === 'blank_share') out.push(...sums.map((c) => (c.spanFrames > 0 ? c.spanBlankFrames / c.spanFrames : 1)));
    else if (g === 'token_rate') out.push(...sums.map((c) => (c.spanSeconds > 0 ? c.tokens / c.spanSeconds : 0)));
    else if (g === 'acoustic') {
      if (!acoustic) throw new Error('the acoustic selector features were not computed');
      out.push(...acoustic);
    }
  }
  return out;
}

/** Validates a selector's stored `features` block; `numFeatures` is the selector's input width. */
export function readSelectorFeatures(json: unknown, members: readonly string[], numFeatures: number, source: string): SelectorFeaturesJSON {
  const bad = (field: string, msg: string): never => {
    throw new UserError(msg, { source: `${source}.${field}`, code: 'E_SELECTOR_FEATURES' });
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) bad('', 'must be an object with version, groups, names');
  const o = json as Record<string, unknown>;
  if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 1) bad('version', 'must be an integer ≥ 1');
  if ((o.version as number) > SELECTOR_FEATURES_VERSION) {
    bad(
      'version',
      `this selector needs features of version ${String(o.version)}; this ctc-ensemble computes version ${SELECTOR_FEATURES_VERSION}: upgrade ctc-ensemble or rebuild the ensemble`,
    );
  }
  if (!Array.isArray(o.groups)) bad('groups', 'must be a list');
  const groups = normalizeFeatureGroups(o.groups as unknown[], `${source}.groups`);
  if (groups.includes('acoustic') && (o.version as number) < ACOUSTIC_SUMMARY.version) {
    // Version 1 summarised a second STFT of its own; its values cannot be computed any more, so the selector's weights do not apply.
    bad(
      'version',
      `this selector reads the acoustic summary of feature version ${String(o.version)}, which this ctc-ensemble no longer computes (version ${ACOUSTIC_SUMMARY.version} reads the members' log-mel): rebuild the ensemble with \`ensemble build\``,
    );
  }
  const names = selectorFeatureNames(groups, members);
  if (!Array.isArray(o.names) || o.names.length !== names.length || o.names.some((n, i) => n !== names[i])) {
    bad('names', `must be the ${names.length} columns of ${groups.join(', ')} over members ${members.join(', ')}`);
  }
  if (numFeatures !== names.length) bad('names', `the selector takes ${numFeatures} inputs but these features give ${names.length}`);
  return { version: o.version as number, groups, names };
}
