/**
 * @module model
 * Argo `argoproj.io/v1alpha1` analysis objects: types, loading, validation, args, merging.
 */
export * from './types.js';
export * from './issues.js';
export * from './duration.js';
export * from './schema.js';
export * from './zod-issues.js';
export * from './validate.js';
export * from './load.js';
export * from './args.js';
export * from './merge.js';
