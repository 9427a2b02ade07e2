/** Mirrors `ConfidenceSpec` of src/confidence (kept structural so ensemble JSON can be typed without importing math). */
export interface ConfidenceSpecLike {
  excludeBlank: boolean;
  aggregation: 'mean' | 'min' | 'max' | 'prod';
  method: 'max_prob' | 'entropy';
  entropyType: 'gibbs' | 'tsallis' | 'renyi';
  entropyNorm: 'lin' | 'exp';
  alpha: number;
}
