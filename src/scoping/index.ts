/**
 * @module scoping
 * Query scoping: rewrites each metric's query so it only sees the pods being judged (canary or
 * stable). This barrel is the folder's public surface; other folders import from here only.
 */
export * from './scoper.js';
export { promqlScoper } from './promql.js';
