import { ACOUSTIC_SUMMARY, AcousticSummary, acousticFeatureNames } from '../features/acoustic-summary.js';
import { UserError } from '../util/errors.js';
export const SELECTOR_FEATURE_GROUPS = ['confidence', 'blank_share', 'token_rate', 'acoustic'];
/** Version of the feature definitions this build computes; a selector needing a newer one is refused. */
export const SELECTOR_FEATURES_VERSION = ACOUSTIC_SUMMARY.version;
/** The groups in canonical order, validated; `source` names the YAML key or JSON field in errors. */
export function normalizeFeatureGroups(groups, source) {
    const seen = new Set();
    for (const [i, g] of groups.entries()) {
        if (typeof g !== 'string' || !SELECTOR_FEATURE_GROUPS.includes(g)) {
            throw new UserError(`${JSON.stringify(g)} is not a selector feature this version of ctc-ensemble computes (known: ${SELECTOR_FEATURE_GROUPS.join(', ')})`, { source: `${source}[${i}]`, code: 'E_SELECTOR_FEATURES' });
        }
        if (seen.has(g))
            throw new UserError(`"${g}" is listed twice`, { source: `${source}[${i}]`, code: 'E_SELECTOR_FEATURES' });
        seen.add(g);
    }
    if (!seen.has('confidence'))
        throw new UserError('must include "confidence" (the members\' confidences)', { source, code: 'E_SELECTOR_FEATURES' });
    return SELECTOR_FEATURE_GROUPS.filter((g) => seen.has(g));
}
/** Column names for `groups` over members `names`. */
export function selectorFeatureNames(groups, names) {
    const out = [];
    for (const g of groups) {
        if (g === 'acoustic')
            out.push(...acousticFeatureNames().map((n) => `acoustic:${n}`));
        else
            out.push(...names.map((n) => `${g}:${n}`));
    }
    return out;
}
/** True when `groups` needs more than the confidences (i.e. is not NeMo's selector). */
export function hasExtraFeatures(groups) {
    return !!groups && groups.some((g) => g !== 'confidence');
}
/** One segment's `MemberSpanSums` from a member's counts over `seconds` of audio. */
export function memberSpanSums(c, seconds) {
    return {
        tokens: c.tokens,
        spanFrames: c.spanFrames,
        spanBlankFrames: c.spanBlankFrames,
        spanSeconds: c.frames > 0 ? (c.spanFrames * seconds) / c.frames : 0,
    };
}
/** The extra (non-confidence) inputs of one utterance or file, accumulated over its segments. */
export class SelectorFeatureAccumulator {
    groups;
    members;
    acoustic;
    sums;
    seconds = 0;
    constructor(groups, members) {
        this.groups = groups;
        this.members = members;
        this.acoustic = groups.includes('acoustic') ? new AcousticSummary() : null;
        this.sums = Array.from({ length: members }, () => ({ tokens: 0, spanFrames: 0, spanBlankFrames: 0, spanSeconds: 0 }));
    }
    /** True when `add` needs the 16 kHz samples. */
    get needsAudio() {
        return this.acoustic !== null;
    }
    /** One segment: its length, its 16 kHz samples (when `needsAudio`) and every member's posterior counts. */
    add(seconds, counts, samples16k) {
        if (counts.length !== this.members)
            throw new RangeError(`expected counts of ${this.members} members, got ${counts.length}`);
        this.seconds += seconds;
        counts.forEach((c, i) => {
            const s = memberSpanSums(c, seconds);
            this.sums[i].tokens += s.tokens;
            this.sums[i].spanFrames += s.spanFrames;
            this.sums[i].spanBlankFrames += s.spanBlankFrames;
            this.sums[i].spanSeconds += s.spanSeconds;
        });
        if (this.acoustic) {
            if (!samples16k)
                throw new Error('the acoustic selector features need the 16 kHz samples');
            this.acoustic.add(samples16k);
        }
        return this;
    }
    /** The values after the confidences, in column order. */
    extras() {
        return selectorExtras(this.groups, this.sums, this.acoustic ? this.acoustic.features() : null);
    }
    /** The selector's input row: the confidences (member order), then `extras()`. */
    row(confidences) {
        return [...confidences, ...this.extras()];
    }
}
/**
 * The values after the confidences, in column order, from their ingredients: each member's span sums and the
 * acoustic summary's values (null when `acoustic` is not among the groups).
 * `ensemble build` (values from its cache) and `SelectorFeatureAccumulator` both end here.
 */
export function selectorExtras(groups, sums, acoustic) {
    const out = [];
    for (const g of groups) {
        if (g === 'blank_share')
            out.push(...sums.map((c) => (c.spanFrames > 0 ? c.spanBlankFrames / c.spanFrames : 1)));
        else if (g === 'token_rate')
            out.push(...sums.map((c) => (c.spanSeconds > 0 ? c.tokens / c.spanSeconds : 0)));
        else if (g === 'acoustic') {
            if (!acoustic)
                throw new Error('the acoustic selector features were not computed');
            out.push(...acoustic);
        }
    }
    return out;
}
/** Validates a selector's stored `features` block; `numFeatures` is the selector's input width. */
export function readSelectorFeatures(json, members, numFeatures, source) {
    const bad = (field, msg) => {
        throw new UserError(msg, { source: `${source}.${field}`, code: 'E_SELECTOR_FEATURES' });
    };
    if (json === null || typeof json !== 'object' || Array.isArray(json))
        bad('', 'must be an object with version, groups, names');
    const o = json;
    if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 1)
        bad('version', 'must be an integer ≥ 1');
    if (o.version > SELECTOR_FEATURES_VERSION) {
        bad('version', `this selector needs features of version ${String(o.version)}; this ctc-ensemble computes version ${SELECTOR_FEATURES_VERSION}: upgrade ctc-ensemble or rebuild the ensemble`);
    }
    if (!Array.isArray(o.groups))
        bad('groups', 'must be a list');
    const groups = normalizeFeatureGroups(o.groups, `${source}.groups`);
    const names = selectorFeatureNames(groups, members);
    if (!Array.isArray(o.names) || o.names.length !== names.length || o.names.some((n, i) => n !== names[i])) {
        bad('names', `must be the ${names.length} columns of ${groups.join(', ')} over members ${members.join(', ')}`);
    }
    if (numFeatures !== names.length)
        bad('names', `the selector takes ${numFeatures} inputs but these features give ${names.length}`);
    return { version: o.version, groups, names };
}
//# sourceMappingURL=features.js.map