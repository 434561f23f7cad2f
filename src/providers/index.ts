/**
 * @module providers
 * Metric providers: the contract, the registry and the plug-ins.
 */
export * from './provider.js';
export * from './registry.js';
export type { PrometheusConfig } from './prometheus.js';
export type { DatadogConfig } from './datadog/index.js';
export type { WebConfig } from './web.js';
