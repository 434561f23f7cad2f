/**
 * @module queue
 * The service's queue: Redis connections, the Redis run/template store, job names and payloads,
 * the run service (submit/terminate) and the worker. `./actuation.js` is imported directly where
 * needed: it pulls in the Kubernetes client, which a worker outside a cluster should not load.
 */
export * from './connection.js';
export * from './names.js';
export * from './jobs.js';
export * from './producer.js';
export * from './redis-store.js';
export * from './run-request.js';
export * from './run-service.js';
export * from './sweeper.js';
export * from './worker.js';
