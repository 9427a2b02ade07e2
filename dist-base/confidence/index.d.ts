export * from './spec.js';
export * from './measures.js';
export * from './posterior-stats.js';
