/**
 * @module engine
 * The analysis engine: plan (validate + resolve), pure assessment, measurement, reconcile, runner.
 */
export * from './clock.js';
export * from './plan.js';
export * from './assess.js';
export * from './measure.js';
export * from './reconcile.js';
export * from './runner.js';
export * from './lint.js';
export * from './store.js';
