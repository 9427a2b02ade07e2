export * from './selector.js';
export * from './sklearn.js';
export * from './tuning.js';
export { lbfgs, type LbfgsOptions, type LbfgsResult, type ObjectiveFn } from './lbfgs.js';
export { fitStandardScaler, type ScalerParams } from './logistic.js';
export { readRestrictedPickle } from './pickle.js';
export * from './features.js';
export * from './calibration.js';
