import { UserError } from '../util/errors.js';

/**
 * One confidence measure + aggregation, as NeMo's `ConfidenceConfig` for the ensemble (NeMo `asr_confidence_utils.py` `ConfidenceMethodConfig` + `confidence_ensemble.py`).
 * `alpha` is the power in p^α (NOT a temperature); `method: 'max_prob'` always uses α = 1 in the
 * ensemble (NeMo `confidence_ensemble.py` `compute_confidence`), whatever `alpha` says.
 */
export interface ConfidenceSpec {
  excludeBlank: boolean;
  aggregation: 'mean' | 'min' | 'max' | 'prod';
  method: 'max_prob' | 'entropy';
  entropyType: 'gibbs' | 'tsallis' | 'renyi';
  entropyNorm: 'lin' | 'exp';
  alpha: number;
}

export type ConfidenceAggregation = ConfidenceSpec['aggregation'];
export type EntropyType = ConfidenceSpec['entropyType'];
export type EntropyNorm = ConfidenceSpec['entropyNorm'];

/** NeMo's ensemble default (build_ensemble.py): Rényi, α = 0.25, lin, mean, blanks excluded. */
export const DEFAULT_CONFIDENCE_SPEC: Readonly<ConfidenceSpec> = Object.freeze({
  excludeBlank: true,
  aggregation: 'mean',
  method: 'entropy',
  entropyType: 'renyi',
  entropyNorm: 'lin',
  alpha: 0.25,
});

export const AGGREGATIONS: readonly ConfidenceAggregation[] = ['mean', 'min', 'max', 'prod'];
export const ENTROPY_TYPES: readonly EntropyType[] = ['gibbs', 'tsallis', 'renyi'];
export const ENTROPY_NORMS: readonly EntropyNorm[] = ['lin', 'exp'];

/**
 * Throws a `UserError` naming the offending field (`<source>.<field>`) when `spec` is not a valid
 * ConfidenceSpec; returns it typed otherwise. Unknown fields are errors too (typo protection).
 */
export function validateConfidenceSpec(spec: unknown, source = 'confidence'): ConfidenceSpec {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new UserError('must be an object with excludeBlank, aggregation, method, entropyType, entropyNorm, alpha', { source, code: 'E_CONFIDENCE_SPEC' });
  }
  const s = spec as Record<string, unknown>;
  const known = ['excludeBlank', 'aggregation', 'method', 'entropyType', 'entropyNorm', 'alpha'];
  for (const k of Object.keys(s)) {
    if (!known.includes(k)) throw new UserError(`unknown field (expected one of ${known.join(', ')})`, { source: `${source}.${k}`, code: 'E_CONFIDENCE_SPEC' });
  }
  const fail = (field: string, msg: string): never => {
    throw new UserError(`${msg} (got ${JSON.stringify(s[field])})`, { source: `${source}.${field}`, code: 'E_CONFIDENCE_SPEC' });
  };
  if (typeof s.excludeBlank !== 'boolean') fail('excludeBlank', 'must be true or false');
  if (!AGGREGATIONS.includes(s.aggregation as ConfidenceAggregation)) fail('aggregation', `must be one of ${AGGREGATIONS.join(', ')}`);
  if (s.method !== 'max_prob' && s.method !== 'entropy') fail('method', 'must be max_prob or entropy');
  if (!ENTROPY_TYPES.includes(s.entropyType as EntropyType)) fail('entropyType', `must be one of ${ENTROPY_TYPES.join(', ')}`);
  if (!ENTROPY_NORMS.includes(s.entropyNorm as EntropyNorm)) fail('entropyNorm', `must be one of ${ENTROPY_NORMS.join(', ')}`);
  if (typeof s.alpha !== 'number' || !Number.isFinite(s.alpha) || !(s.alpha > 0)) fail('alpha', 'must be a finite number > 0');
  return s as unknown as ConfidenceSpec;
}

/** NeMo's measure-bank key: `max_prob` or `entropy_<type>_<norm>`. */
export function confidenceKey(spec: Pick<ConfidenceSpec, 'method' | 'entropyType' | 'entropyNorm'>): string {
  return spec.method === 'max_prob' ? 'max_prob' : `entropy_${spec.entropyType}_${spec.entropyNorm}`;
}

/** Human/NeMo-style label, e.g. `entropy_renyi_lin α=0.25 mean exclude_blank`. */
export function describeConfidenceSpec(spec: ConfidenceSpec): string {
  const a = spec.method === 'max_prob' ? 1 : spec.alpha;
  return `${confidenceKey(spec)} alpha=${a} ${spec.aggregation}${spec.excludeBlank ? ' exclude_blank' : ''}`;
}

/** Options of NeMo's `TuneConfidenceConfig` (build_ensemble.py); defaults as NeMo's. */
export interface TuneConfidenceGridConfig {
  excludeBlank?: boolean[];
  aggregation?: ConfidenceAggregation[];
  /** NeMo's `confidence_type`: `max_prob` or `entropy_<gibbs|tsallis|renyi>_<lin|exp>`. */
  confidenceType?: string[];
  alpha?: number[];
}

export const NEMO_TUNE_CONFIDENCE_DEFAULTS = Object.freeze({
  excludeBlank: [true, false],
  aggregation: ['mean', 'min', 'max'] as ConfidenceAggregation[],
  confidenceType: ['entropy_renyi_exp', 'entropy_renyi_lin', 'entropy_tsallis_exp', 'entropy_tsallis_lin', 'entropy_gibbs_lin', 'entropy_gibbs_exp'],
  alpha: [0.25, 0.33, 0.5, 1.0],
});

/** Parses a NeMo `confidence_type` string (`renui` accepted as the v1.19/1.20 spelling of `renyi`). */
export function parseConfidenceType(type: string, source = 'confidence_type'): Pick<ConfidenceSpec, 'method' | 'entropyType' | 'entropyNorm'> {
  if (type === 'max_prob') return { method: 'max_prob', entropyType: 'renyi', entropyNorm: 'lin' };
  const m = /^entropy_(gibbs|tsallis|renyi|renui)_(lin|exp)$/.exec(type);
  if (!m)
    throw new UserError(`unknown confidence type ${JSON.stringify(type)} (expected max_prob or entropy_<gibbs|tsallis|renyi>_<lin|exp>)`, {
      source,
      code: 'E_CONFIDENCE_SPEC',
    });
  return { method: 'entropy', entropyType: (m[1] === 'renui' ? 'renyi' : m[1]) as EntropyType, entropyNorm: m[2] as EntropyNorm };
}

/**
 * The confidence grid NeMo's `build_ensemble.py` tunes over, in NeMo's iteration order
 * (`compute_all_confidences`): exclude_blank → aggregation → confidence_type → alpha, with
 * `max_prob` taking only α = 1. The default is 2·3·6·4 = 144 specs.
 */
export function nemoTuningGrid(cfg: TuneConfidenceGridConfig = {}): ConfidenceSpec[] {
  const ex = cfg.excludeBlank ?? NEMO_TUNE_CONFIDENCE_DEFAULTS.excludeBlank;
  const aggs = cfg.aggregation ?? NEMO_TUNE_CONFIDENCE_DEFAULTS.aggregation;
  const types = cfg.confidenceType ?? NEMO_TUNE_CONFIDENCE_DEFAULTS.confidenceType;
  const alphas = cfg.alpha ?? NEMO_TUNE_CONFIDENCE_DEFAULTS.alpha;
  const out: ConfidenceSpec[] = [];
  for (const excludeBlank of ex) {
    for (const aggregation of aggs) {
      for (const t of types) {
        const parsed = parseConfidenceType(t, 'tune_confidence_config.confidence_type');
        if (parsed.method === 'max_prob') {
          out.push(validateConfidenceSpec({ excludeBlank, aggregation, ...parsed, alpha: 1.0 }, 'tune_confidence_config'));
          continue;
        }
        for (const alpha of alphas) out.push(validateConfidenceSpec({ excludeBlank, aggregation, ...parsed, alpha }, 'tune_confidence_config'));
      }
    }
  }
  return out;
}
