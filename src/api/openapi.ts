/**
 * @module api/openapi
 * The OpenAPI 3.1 description served at /api/v1/openapi.json. Kept by hand next to the routes:
 * small enough to read, and a test checks every route is described.
 */

const error = { $ref: '#/components/schemas/Error' };
const run = { $ref: '#/components/schemas/AnalysisRun' };
const errors = (...codes: number[]): Record<string, unknown> =>
  Object.fromEntries(codes.map((c) => [String(c), { description: 'error', content: { 'application/json': { schema: error } } }]));
const json = (schema: unknown): Record<string, unknown> => ({ content: { 'application/json': { schema } } });

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'metricgate API', version: '1', description: 'Metric-gated promotion: run Argo-compatible analyses and read their verdicts.' },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', description: 'Stable code from the catalogue (MG_VALIDATION, MG_UNAUTHORIZED, …)' },
              message: { type: 'string' },
              issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
            },
          },
        },
      },
      AnalysisRun: { type: 'object', description: 'argoproj.io/v1alpha1 AnalysisRun with status in Argo’s shape; metadata.uid is the run id.' },
      AnalysisTemplate: { type: 'object', description: 'argoproj.io/v1alpha1 AnalysisTemplate or ClusterAnalysisTemplate.' },
      RunRequest: {
        oneOf: [
          { type: 'object', required: ['analysisRun'], properties: { analysisRun: run } },
          {
            type: 'object',
            required: ['templates'],
            properties: {
              templates: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, clusterScope: { type: 'boolean' } } } },
              args: { type: 'array', items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'string' } } } },
              name: { type: 'string' },
              namespace: { type: 'string' },
            },
          },
        ],
        properties: {
          scope: { enum: ['canary', 'stable', 'none'] },
          scopeLabel: { type: 'string' },
          target: { type: 'object', properties: { kind: { enum: ['argo'] }, namespace: { type: 'string' }, name: { type: 'string' }, podHash: { type: 'string' }, stepIndex: { type: 'integer' } } },
          durationSeconds: { type: 'number' },
          idempotencyKey: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      Verdict: {
        type: 'object',
        properties: {
          verdict: { enum: ['Running', 'Successful', 'Failed', 'Error', 'Inconclusive'] },
          done: { type: 'boolean' },
          message: { type: 'string' },
          run: { type: 'object', properties: { uid: { type: 'string' }, name: { type: 'string' } } },
          metrics: { type: 'array', items: { type: 'object' } },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/healthz': { get: { security: [], summary: 'Liveness', responses: { '200': { description: 'alive' } } } },
    '/readyz': { get: { security: [], summary: 'Readiness (Redis reachable, worker alive)', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' }, ...errors(401) } } },
    '/api/v1/openapi.json': { get: { security: [], summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    '/api/v1/runs': {
      post: {
        summary: 'Start a run (inline AnalysisRun, or stored templates + args)',
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/RunRequest' }) },
        responses: { '201': { description: 'created; Location names the run', ...json(run) }, '200': { description: 'the run for this idempotencyKey already exists', ...json(run) }, ...errors(400, 401, 413, 415, 422, 429, 503) },
      },
      get: {
        summary: 'List runs, newest first',
        parameters: [
          { name: 'phase', in: 'query', schema: { enum: ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'] } },
          { name: 'label', in: 'query', description: 'key=value, repeatable', schema: { type: 'string' } },
          { name: 'target', in: 'query', description: 'argo:<namespace>/<rollout>', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'a page', ...json({ type: 'object', properties: { items: { type: 'array', items: run }, nextCursor: { type: 'string' } } }) }, ...errors(400, 401) },
      },
    },
    '/api/v1/runs/{id}': { get: { summary: 'Read a run', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'the run', ...json(run) }, ...errors(400, 401, 404) } } },
    '/api/v1/runs/{id}/terminate': { post: { summary: 'Terminate a run (Successful unless a limit was already violated)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'the run', ...json(run) }, ...errors(401, 404, 429) } } },
    '/api/v1/templates': { get: { summary: 'List stored templates', responses: { '200': { description: 'templates', ...json({ type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/AnalysisTemplate' } } } }) }, ...errors(401) } } },
    '/api/v1/templates/{name}': {
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'kind', in: 'query', schema: { enum: ['AnalysisTemplate', 'ClusterAnalysisTemplate'], default: 'AnalysisTemplate' } },
      ],
      put: { summary: 'Store a template (JSON or YAML), validated like metricgate lint', requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AnalysisTemplate' } }, 'application/yaml': { schema: { type: 'string' } } } }, responses: { '201': { description: 'created' }, '200': { description: 'replaced' }, ...errors(400, 401, 413, 415, 422, 429) } },
      get: { summary: 'Read a template', responses: { '200': { description: 'the template' }, ...errors(401, 404) } },
      delete: { summary: 'Delete a template', responses: { '204': { description: 'deleted' }, ...errors(401, 404) } },
    },
    '/api/v1/verdicts/{namespace}/{rollout}/{revision}': {
      parameters: [
        { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'rollout', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'revision', in: 'path', required: true, description: 'pod-template hash of the canary', schema: { type: 'string' } },
      ],
      get: {
        summary: 'Argo web-metric endpoint: starts (once) and reports the verdict of a run for this rollout revision',
        parameters: [
          { name: 'template', in: 'query', required: true, description: 'stored template name, repeatable', schema: { type: 'string' } },
          { name: 'clusterTemplate', in: 'query', schema: { type: 'string' } },
          { name: 'scope', in: 'query', schema: { enum: ['canary', 'stable', 'none'], default: 'canary' } },
          { name: 'wait', in: 'query', description: 'seconds to wait for a final verdict (≤ 8)', schema: { type: 'number' } },
          { name: 'arg.NAME', in: 'query', description: 'argument value', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'verdict', ...json({ $ref: '#/components/schemas/Verdict' }) }, ...errors(400, 401, 422) },
      },
      post: { summary: 'Same as GET with a JSON body {templates, args, scope, wait}', responses: { '200': { description: 'verdict', ...json({ $ref: '#/components/schemas/Verdict' }) }, ...errors(400, 401, 422) } },
    },
  },
} as const;
