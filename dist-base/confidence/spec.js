import { UserError } from '../util/errors.js';
/** NeMo's ensemble default (build_ensemble.py): Rényi, α = 0.25, lin, mean, blanks excluded. */
export const DEFAULT_CONFIDENCE_SPEC = Object.freeze({
    excludeBlank: true,
    aggregation: 'mean',
    method: 'entropy',
    entropyType: 'renyi',
    entropyNorm: 'lin',
    alpha: 0.25,
});
export const AGGREGATIONS = ['mean', 'min', 'max', 'prod'];
export const ENTROPY_TYPES = ['gibbs', 'tsallis', 'renyi'];
export const ENTROPY_NORMS = ['lin', 'exp'];
/**
 * Throws a `UserError` naming the offending field (`<source>.<field>`) when `spec` is not a valid
 * ConfidenceSpec; returns it typed otherwise. Unknown fields are errors too (typo protection).
 */
export function validateConfidenceSpec(spec, source = 'confidence') {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
        throw new UserError('must be an object with excludeBlank, aggregation, method, entropyType, entropyNorm, alpha', { source, code: 'E_CONFIDENCE_SPEC' });
    }
    const s = spec;
    const known = ['excludeBlank', 'aggregation', 'method', 'entropyType', 'entropyNorm', 'alpha'];
    for (const k of Object.keys(s)) {
        if (!known.includes(k))
            throw new UserError(`unknown field (expected one of ${known.join(', ')})`, { source: `${source}.${k}`, code: 'E_CONFIDENCE_SPEC' });
    }
    const fail = (field, msg) => {
        throw new UserError(`${msg} (got ${JSON.stringify(s[field])})`, { source: `${source}.${field}`, code: 'E_CONFIDENCE_SPEC' });
    };
    if (typeof s.excludeBlank !== 'boolean')
        fail('excludeBlank', 'must be true or false');
    if (!AGGREGATIONS.includes(s.aggregation))
        fail('aggregation', `must be one of ${AGGREGATIONS.join(', ')}`);
    if (s.method !== 'max_prob' && s.method !== 'entropy')
        fail('method', 'must be max_prob or entropy');
    if (!ENTROPY_TYPES.includes(s.entropyType))
        fail('entropyType', `must be one of ${ENTROPY_TYPES.join(', ')}`);
    if (!ENTROPY_NORMS.includes(s.entropyNorm))
        fail('entropyNorm', `must be one of ${ENTROPY_NORMS.join(', ')}`);
    if (typeof s.alpha !== 'number' || !Number.isFinite(s.alpha) || !(s.alpha > 0))
        fail('alpha', 'must be a finite number > 0');
    return s;
}
/** NeMo's measure-bank key: `max_prob` or `entropy_<type>_<norm>`. */
export function confidenceKey(spec) {
    return spec.method === 'max_prob' ? 'max_prob' : `entropy_${spec.entropyType}_${spec.entropyNorm}`;
}
/** Human/NeMo-style label, e.g. `entropy_renyi_lin α=0.25 mean exclude_blank`. */
export function describeConfidenceSpec(spec) {
    const a = spec.method === 'max_prob' ? 1 : spec.alpha;
    return `${confidenceKey(spec)} alpha=${a} ${spec.aggregation}${spec.excludeBlank ? ' exclude_blank' : ''}`;
}
export const NEMO_TUNE_CONFIDENCE_DEFAULTS = Object.freeze({
    excludeBlank: [true, false],
    aggregation: ['mean', 'min', 'max'],
    confidenceType: ['entropy_renyi_exp', 'entropy_renyi_lin', 'entropy_tsallis_exp', 'entropy_tsallis_lin', 'entropy_gibbs_lin', 'entropy_gibbs_exp'],
    alpha: [0.25, 0.33, 0.5, 1.0],
});
/** Parses a NeMo `confidence_type` string (`renui` accepted as the v1.19/1.20 spelling of `renyi`). */
export function parseConfidenceType(type, source = 'confidence_type') {
    if (type === 'max_prob')
        return { method: 'max_prob', entropyType: 'renyi', entropyNorm: 'lin' };
    const m = /^entropy_(gibbs|tsallis|renyi|renui)_(lin|exp)$/.exec(type);
    if (!m)
        throw new UserError(`unknown confidence type ${JSON.stringify(type)} (expected max_prob or entropy_<gibbs|tsallis|renyi>_<lin|exp>)`, {
            source,
            code: 'E_CONFIDENCE_SPEC',
        });
    return { method: 'entropy', entropyType: (m[1] === 'renui' ? 'renyi' : m[1]), entropyNorm: m[2] };
}
/**
 * The confidence grid NeMo's `build_ensemble.py` tunes over, in NeMo's iteration order
 * (`compute_all_confidences`): exclude_blank → aggregation → confidence_type → alpha, with
 * `max_prob` taking only α = 1. The default is 2·3·6·4 = 144 specs.
 */
export function nemoTuningGrid(cfg = {}) {
    const ex = cfg.excludeBlank ?? NEMO_TUNE_CONFIDENCE_DEFAULTS.excludeBlank;
    const aggs = cfg.aggregation ?? NEMO_TUNE_CONFIDENCE_DEFAULTS.aggregation;
    const types = cfg.confidenceType ?? NEMO_TUNE_CONFIDENCE_DEFAULTS.confidenceType;
    const alphas = cfg.alpha ?? NEMO_TUNE_CONFIDENCE_DEFAULTS.alpha;
    const out = [];
    for (const excludeBlank of ex) {
        for (const aggregation of aggs) {
            for (const t of types) {
                const parsed = parseConfidenceType(t, 'tune_confidence_config.confidence_type');
                if (parsed.method === 'max_prob') {
                    out.push(validateConfidenceSpec({ excludeBlank, aggregation, ...parsed, alpha: 1.0 }, 'tune_confidence_config'));
                    continue;
                }
                for (const alpha of alphas)
                    out.push(validateConfidenceSpec({ excludeBlank, aggregation, ...parsed, alpha }, 'tune_confidence_config'));
            }
        }
    }
    return out;
}
//# sourceMappingURL=spec.js.map