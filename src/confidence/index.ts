export * from './spec.js';
export * from './measures.js';
