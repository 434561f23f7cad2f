/**
 * @module triggers
 * What starts runs on its own: the rollout-step watcher (with leader election).
 */
export * from './trigger.js';
export * from './leader.js';
export * from './rollout-step.js';
export * from './controller.js';
