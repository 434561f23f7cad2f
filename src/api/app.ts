/**
 * @module api/app
 * The fastify application factory. `buildApp(deps)` wires routes, auth, limits, the error
 * catalogue and the dashboard page, and returns the instance without listening, so tests drive it with `inject` and the
 * service decides where it listens.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { ValidationError } from '../model/index.js';
import { BearerAuth } from './auth.js';
import type { AppDeps, AppOptions } from './deps.js';
import { ApiError, errorBody } from './errors.js';
import { registerDashboard } from '../dashboard/server.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerTemplateRoutes } from './routes/templates.js';
import { registerVerdictRoutes } from './routes/verdicts.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route needs no token (health, readiness, OpenAPI). */
    public?: boolean;
  }
}

export type { AppDeps, AppOptions } from './deps.js';

/** Builds the API. Never listens. */
export async function buildApp(deps: AppDeps, options: AppOptions): Promise<FastifyInstance> {
  const auth = new BearerAuth(options.tokens);
  if (!auth.enabled && !options.insecureDev) {
    throw new Error('no API tokens configured: set METRICGATE_API_TOKENS (comma-separated) or pass --insecure-dev for local development');
  }
  const app = Fastify({
    // pino's Logger and fastify's logger type differ only in generics; the instance is the same.
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Request logging is per route (metrics count every response); pino per request is noise.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // Deep or wide JSON must not take the process down: fastify's parser has prototype-poisoning guards.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
  });

  await app.register(rateLimit, {
    global: false,
    keyGenerator: (req) => BearerAuth.fingerprint(req.headers.authorization) ?? req.ip,
    errorResponseBuilder: (_req, ctx) => {
      const err = new ApiError('MG_RATE_LIMITED', `rate limit exceeded: ${ctx.max} write requests per ${ctx.after}`);
      return Object.assign(err, { statusCode: 429 });
    },
  });

  // Bodies are JSON (or YAML for templates); anything else is a 415, not a string to misread.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config.public || options.insecureDev) return;
    if (!auth.verify(req.headers.authorization)) {
      throw new ApiError('MG_UNAUTHORIZED', req.headers.authorization ? 'invalid bearer token' : 'missing Authorization: Bearer <token> header');
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.httpRequests.inc({ route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });

  app.setErrorHandler((error: FastifyError | ApiError | ValidationError | Error, req, reply) => {
    const api = toApiError(error);
    if (api.code === 'MG_INTERNAL' || api.code === 'MG_UNAVAILABLE') req.log.error({ err: error }, 'request failed');
    void reply.code(api.status).send(errorBody(api));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody(new ApiError('MG_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}; see /api/v1/openapi.json`)));
  });

  const writeLimit = { max: options.writeRateLimitPerMinute ?? 300, timeWindow: '1 minute' };
  registerHealthRoutes(app, deps);
  registerRunRoutes(app, deps, writeLimit);
  registerTemplateRoutes(app, deps, writeLimit);
  registerVerdictRoutes(app, deps, { maxWaitMs: options.verdictMaxWaitMs ?? 8000 });
  registerDashboard(app);
  return app;
}

/** Maps anything thrown in a route to a catalogue error. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ValidationError) return new ApiError('MG_VALIDATION', `invalid request: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}`, error.issues);
  const e = error as Partial<FastifyError> & { statusCode?: number; code?: string; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('MG_PAYLOAD_TOO_LARGE', e.message ?? 'request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('MG_UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported media type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('MG_BAD_JSON', e.message ?? 'invalid body');
    default:
      break;
  }
  if (e.statusCode === 429) return new ApiError('MG_RATE_LIMITED', e.message ?? 'rate limited');
  if (e instanceof SyntaxError || e.statusCode === 400) return new ApiError('MG_BAD_JSON', `invalid JSON body: ${e.message ?? ''}`.trim());
  if (e.statusCode === 415) return new ApiError('MG_UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported media type');
  if (e.statusCode === 413) return new ApiError('MG_PAYLOAD_TOO_LARGE', e.message ?? 'request body too large');
  if (/ECONNREFUSED|Connection is closed|MaxRetriesPerRequest|Stream isn't writeable/i.test(e.message ?? '')) {
    return new ApiError('MG_UNAVAILABLE', 'the run store (Redis) is unreachable; retry shortly');
  }
  return new ApiError('MG_INTERNAL', 'internal error');
}
