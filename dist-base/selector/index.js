export * from './selector.js';
export * from './sklearn.js';
export * from './tuning.js';
export { lbfgs } from './lbfgs.js';
export { fitStandardScaler } from './logistic.js';
export { readRestrictedPickle } from './pickle.js';
export * from './features.js';
export * from './calibration.js';
//# sourceMappingURL=index.js.map