/**
 * @module actuators
 * Verdict → action: the verdict policy, the Argo Rollout target and the KubeObjects port it
 * writes through. Later stages (queue, triggers, api, cli) import from here.
 */
export * from './kube.js';
export * from './kube-config.js';
export * from './kube-errors.js';
export * from './merge-patch.js';
export * from './verdict.js';
export * from './target.js';
export * from './rollout-state.js';
export * from './rollout-patches.js';
export * from './rollout.js';
export * from './kube-sources.js';
