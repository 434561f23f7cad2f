/**
 * @module providers/web
 * Argo's `web` provider: one synchronous HTTP call per measurement, the answer narrowed with a
 * Kubernetes-style JSONPath (`{$.data.ok}`). `result` is the first match with its JSON type kept
 * (numbers, strings, booleans, objects, arrays); a non-JSON body is the raw string. A non-2xx
 * status, a timeout or a JSONPath without a match is an Error measurement (Argo's rules,
 * metricproviders/webmetric). JSONPath filters run in jsonpath-plus's safe evaluator, never as
 * JavaScript.
 */
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import { formatValue, type ExprValue } from '../expr/index.js';
import { OAuth2Tokens, oauth2Schema } from './oauth2.js';
import { ProviderError, type MeasureContext, type MetricProvider, type ProviderDeps, type ProviderPlugin, type RawResult } from './provider.js';

const schema = z
  .strictObject({
    url: z.string().min(1, { error: 'is required: the URL to call' }),
    /** @defaultValue GET */
    method: z.enum(['GET', 'POST', 'PUT']).optional(),
    headers: z.array(z.strictObject({ key: z.string().min(1), value: z.string() })).optional(),
    body: z.string().optional(),
    /** Inline JSON; sent with `Content-Type: application/json`. */
    jsonBody: z.unknown().optional(),
    /** Request timeout, seconds; 0 or less means the default. @defaultValue 10 */
    timeoutSeconds: z.number().int().optional(),
    /** Kubernetes JSONPath with braces, e.g. `{$.data.ok}`. @defaultValue `{$}` */
    jsonPath: z.string().optional(),
    /** Skip TLS verification. @defaultValue false */
    insecure: z.boolean().optional(),
    authentication: z.strictObject({ oauth2: oauth2Schema.optional() }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.body !== undefined && v.jsonBody !== undefined) ctx.addIssue({ code: 'custom', path: ['jsonBody'], message: 'set either body or jsonBody, not both' });
    if ((v.body !== undefined || v.jsonBody !== undefined) && (v.method ?? 'GET') === 'GET') {
      ctx.addIssue({ code: 'custom', path: ['method'], message: 'a body needs method POST or PUT (GET sends none)' });
    }
    if (!v.url.includes('{{')) {
      try {
        const u = new URL(v.url);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      } catch {
        ctx.addIssue({ code: 'custom', path: ['url'], message: `expected an http(s) URL, got ${JSON.stringify(v.url)}` });
      }
    }
  });

/** A validated `provider.web` block. */
export type WebConfig = z.infer<typeof schema>;

const DEFAULT_TIMEOUT_S = 10;

export const webProvider: ProviderPlugin<WebConfig> = {
  kind: 'web',
  description: 'HTTP call with a JSONPath (Argo web metric); result keeps its JSON type, non-JSON bodies are strings',
  schema,
  create: (deps) => new WebProvider(deps),
};

/** `{$.a.b}` / `$.a.b` / `.a.b` → `$.a.b` (k8s JSONPath wraps expressions in braces). */
export function toJsonPath(path: string | undefined): string {
  let p = (path ?? '{$}').trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('.')) p = `$${p}`;
  return p === '' ? '$' : p;
}

class WebProvider implements MetricProvider<WebConfig> {
  private readonly tokens = new OAuth2Tokens();

  constructor(private readonly _deps: ProviderDeps) {}

  describe(config: WebConfig): Record<string, string> {
    return { url: config.url, jsonPath: toJsonPath(config.jsonPath) };
  }

  async measure(config: WebConfig, ctx: MeasureContext): Promise<RawResult> {
    const timeoutS = config.timeoutSeconds !== undefined && config.timeoutSeconds > 0 ? config.timeoutSeconds : DEFAULT_TIMEOUT_S;
    const headers: Record<string, string> = {};
    for (const h of config.headers ?? []) headers[h.key] = h.value;
    if (config.authentication?.oauth2?.tokenUrl) headers['Authorization'] = `Bearer ${await this.tokens.token(config.authentication.oauth2)}`;
    let body: string | undefined = config.body;
    if (config.jsonBody !== undefined) {
      body = JSON.stringify(config.jsonBody);
      headers['Content-Type'] = 'application/json';
    }
    let response: { status: number; text: string };
    try {
      response = await request(config.url, { method: config.method ?? 'GET', headers, body, timeoutMs: timeoutS * 1000, insecure: config.insecure ?? false, signal: ctx.signal });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ETIMEDOUT') throw new ProviderError('PROVIDER_TIMEOUT', `web metric ${config.url} timed out after ${timeoutS}s (timeoutSeconds)`, { cause: err });
      throw new ProviderError('PROVIDER_UNREACHABLE', `web metric ${config.url} is unreachable: ${e.code ?? e.message}`, { cause: err });
    }
    const text = response.text;
    if (response.status < 200 || response.status >= 300) {
      throw new ProviderError('PROVIDER_HTTP', `web metric ${config.url} answered HTTP ${response.status}: ${text.slice(0, 300)}`, { status: response.status });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Argo (main) hands a non-JSON body over as a plain string.
      return { value: text, display: text, metadata: { url: config.url } };
    }
    const path = toJsonPath(config.jsonPath);
    let matches: unknown[];
    try {
      matches = JSONPath({ path, json: json as object, wrap: true, eval: 'safe' }) as unknown[];
    } catch (err) {
      throw new ProviderError('PROVIDER_CONFIG', `invalid jsonPath ${JSON.stringify(config.jsonPath ?? '{$}')}: ${(err as Error).message}`, { cause: err });
    }
    if (!Array.isArray(matches) || matches.length === 0) {
      throw new ProviderError('PROVIDER_RESPONSE', `Could not find JSONPath ${config.jsonPath ?? '{$}'} in body ${text.slice(0, 200)}`);
    }
    const value = matches[0] as ExprValue;
    return { value, display: typeof value === 'string' ? value : JSON.stringify(value) ?? formatValue(value), metadata: { url: config.url } };
  }
}

const insecureAgent = new Agent({ rejectUnauthorized: false, keepAlive: true });

/** One HTTP exchange with a deadline; `insecure` skips TLS verification (Argo's `insecure`). */
function request(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number; insecure: boolean; signal?: AbortSignal },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      u,
      { method: options.method, headers: options.headers, ...(options.insecure && u.protocol === 'https:' ? { agent: insecureAgent } : {}), signal: options.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(options.body);
  });
}
