/**
 * @module api/routes/templates
 * Stored AnalysisTemplates and ClusterAnalysisTemplates, validated on the way in exactly as
 * `metricgate lint` validates files (same issues, same paths). Bodies are JSON or YAML.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { lintObject } from '../../engine/index.js';
import { ValidationError, libraryOf, loadObject, loadYaml, type AnalysisTemplate, type LoadResult, type TemplateKind } from '../../model/index.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { parse } from './runs.js';

const nameParam = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'expected a DNS-1123 name: lower-case letters, digits, "-" and "."' }).max(253),
});
const kindQuery = z.strictObject({ kind: z.enum(['AnalysisTemplate', 'ClusterAnalysisTemplate']).optional() });

export function registerTemplateRoutes(app: FastifyInstance, deps: AppDeps, rateLimit: { max: number; timeWindow: string }): void {
  app.get('/api/v1/templates', async () => ({ items: await deps.templates.list() }));

  app.put('/api/v1/templates/:name', { config: { rateLimit } }, async (req, reply) => {
    const { name } = parse(nameParam, req.params, 'path');
    const loaded: LoadResult = typeof req.body === 'string' ? loadYaml(req.body, 'body') : loadObject(req.body, 'body');
    if (loaded.issues.length > 0) throw new ValidationError(loaded.issues);
    const docs = loaded.documents.map((d) => d.object);
    const template = docs[0];
    if (docs.length !== 1 || !template || template.kind === 'AnalysisRun') {
      throw new ValidationError([{ code: 'UNSUPPORTED_KIND', path: 'kind', message: `expected exactly one AnalysisTemplate or ClusterAnalysisTemplate, got ${docs.map((d) => d.kind).join(', ') || 'none'}` }]);
    }
    if (template.metadata.name !== undefined && template.metadata.name !== name) {
      throw new ValidationError([{ code: 'INVALID_VALUE', path: 'metadata.name', message: `is ${JSON.stringify(template.metadata.name)} but the URL names ${JSON.stringify(name)}` }]);
    }
    const named: AnalysisTemplate = { ...template, metadata: { ...template.metadata, name } };
    const others = (await deps.templates.list()).filter((t) => !(t.kind === named.kind && t.metadata.name === name));
    const issues = await lintObject(named, libraryOf([...others, named]));
    if (issues.length > 0) throw new ValidationError(issues);
    const replaced = await deps.templates.put(named);
    return reply.code(replaced ? 200 : 201).header('location', `/api/v1/templates/${name}${named.kind === 'ClusterAnalysisTemplate' ? '?kind=ClusterAnalysisTemplate' : ''}`).send(named);
  });

  app.get('/api/v1/templates/:name', async (req) => {
    const { name } = parse(nameParam, req.params, 'path');
    const kind: TemplateKind = parse(kindQuery, req.query, 'query').kind ?? 'AnalysisTemplate';
    const t = await deps.templates.get(kind, name);
    if (!t) throw new ApiError('MG_NOT_FOUND', `no ${kind} named ${JSON.stringify(name)}`);
    return t;
  });

  app.delete('/api/v1/templates/:name', { config: { rateLimit } }, async (req, reply) => {
    const { name } = parse(nameParam, req.params, 'path');
    const kind: TemplateKind = parse(kindQuery, req.query, 'query').kind ?? 'AnalysisTemplate';
    if (!(await deps.templates.delete(kind, name))) throw new ApiError('MG_NOT_FOUND', `no ${kind} named ${JSON.stringify(name)}`);
    return reply.code(204).send();
  });
}
