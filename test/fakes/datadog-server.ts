/**
 * @module test/fakes/datadog-server
 * An HTTP fake of the two Datadog endpoints the provider uses, driven by the real
 * `@datadog/datadog-api-client`:
 *
 * - `GET /api/v1/query?query=…&from=<s>&to=<s>` answering `{status, series[{pointlist}]}`;
 * - `POST /api/v2/query/scalar` answering `{data: {attributes: {columns}}}`.
 *
 * It checks what it receives the way Datadog would reject it — API and application key headers,
 * query string or body shape, `from`/`to` in seconds (v1) or milliseconds (v2) — and answers a
 * 400 with Datadog's `{"errors": [...]}` shape naming the problem (also kept in `problems`, so a
 * test can assert that nothing malformed was sent). Answers come from fixtures matched against
 * the query text; every request is recorded for assertions. Listens on 127.0.0.1, port 0.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Keys the fake accepts unless told otherwise. */
export const FAKE_API_KEY = 'fake-api-key-0123';
export const FAKE_APP_KEY = 'fake-app-key-4567';

const AGGREGATORS = new Set(['avg', 'min', 'max', 'sum', 'last', 'percentile', 'mean', 'l2norm', 'area']);
/** Anything above this is milliseconds, below it seconds (2001-09-09 in ms, year 5138 in s). */
const MS_THRESHOLD = 1e11;

/** What the fake answers for a matching query. */
export type DatadogFixture =
  /** Time series; v1 lays the points out across the window, v2 applies the request's aggregator. */
  | { readonly kind: 'series'; readonly series: readonly (readonly (number | null)[])[] }
  /** A grouped (`by {…}`) answer: one value per group, each group named by its tags (one per dimension). */
  | { readonly kind: 'groups'; readonly groups: readonly { readonly tags: readonly string[]; readonly value: number | null }[] }
  /** No data at all: v1 `series: []`, v2 an empty number column. */
  | { readonly kind: 'empty' }
  /** HTTP 200 carrying Datadog's error text (v1 `status: "error"`, v2 `errors`). */
  | { readonly kind: 'errors'; readonly message: string }
  /** Any status, body and headers (401, 429, 500, a proxy page…). */
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** The exact JSON body, for shapes the other fixtures do not produce. */
  | { readonly kind: 'raw'; readonly body: unknown }
  /** Waits before answering `then` (for timeouts); the wait is cut short when the fake closes. */
  | { readonly kind: 'slow'; readonly delayMs: number; readonly then: DatadogFixture };

/** Fixture builders for the cases tests need most. */
export const fixtures = {
  /** One series ending at `value` (v1 last point / v2 `last`). */
  value: (value: number | null): DatadogFixture => ({ kind: 'series', series: [[value]] }),
  series: (...series: (number | null)[][]): DatadogFixture => ({ kind: 'series', series }),
  groups: (groups: Record<string, number | null>): DatadogFixture => ({
    kind: 'groups',
    groups: Object.entries(groups).map(([name, value]) => ({ tags: name.split(','), value })),
  }),
  empty: (): DatadogFixture => ({ kind: 'empty' }),
  queryErrors: (message: string): DatadogFixture => ({ kind: 'errors', message }),
  rateLimited: (resetSeconds: number, name = 'query_scalar_public'): DatadogFixture => ({
    kind: 'status',
    status: 429,
    body: { errors: ['Rate limit exceeded'] },
    headers: { 'X-RateLimit-Limit': '100', 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetSeconds), 'X-RateLimit-Name': name },
  }),
  serverError: (message = 'Internal Server Error'): DatadogFixture => ({ kind: 'status', status: 500, body: { errors: [message] } }),
  badRequest: (message: string): DatadogFixture => ({ kind: 'status', status: 400, body: { errors: [message] } }),
  slow: (delayMs: number, then: DatadogFixture): DatadogFixture => ({ kind: 'slow', delayMs, then }),
};

/** One sub-query of a v2 request, as received. */
export interface ReceivedQuery {
  readonly name: string;
  readonly query: string;
  readonly aggregator: string;
  readonly dataSource: string;
}

/** A request as the fake received it. */
export interface RecordedRequest {
  readonly api: 'v1' | 'v2' | 'other';
  readonly method: string;
  readonly path: string;
  readonly apiKey?: string;
  readonly appKey?: string;
  /** v1 `query` parameter. */
  readonly query?: string;
  /** v2 sub-queries. */
  readonly queries?: readonly ReceivedQuery[];
  /** v2 formulas. */
  readonly formulas?: readonly string[];
  /** As sent: seconds (v1) or milliseconds (v2). */
  readonly from?: number;
  readonly to?: number;
  /** Status the fake answered. */
  status: number;
}

type Matcher = string | RegExp | ((request: RecordedRequest) => boolean);

/** Every query text of a request (v1 query, v2 sub-queries and formulas). */
export function queryTexts(request: RecordedRequest): string[] {
  return [...(request.query !== undefined ? [request.query] : []), ...(request.queries ?? []).map((q) => q.query), ...(request.formulas ?? [])];
}

function matches(matcher: Matcher, request: RecordedRequest): boolean {
  if (typeof matcher === 'function') return matcher(request);
  return queryTexts(request).some((text) => (typeof matcher === 'string' ? text.includes(matcher) : matcher.test(text)));
}

/** A running fake; see the module comment. */
export class DatadogFake {
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** Why requests were rejected as malformed (not auth failures), oldest first. */
  readonly problems: string[] = [];
  private readonly rules: { matcher: Matcher; fixture: DatadogFixture }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    /** Base URL to put in DD_ADDRESS, e.g. `http://127.0.0.1:41234`. */
    readonly url: string,
    private readonly keys: { apiKey: string; appKey: string },
  ) {}

  /** Starts a fake on a free loopback port. */
  static async start(keys: { apiKey?: string; appKey?: string } = {}): Promise<DatadogFake> {
    // The handler needs the fake, and the fake needs the listening server's port.
    const holder: { fake?: DatadogFake } = {};
    const server = createServer((req, res) => {
      void holder.fake?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    holder.fake = new DatadogFake(server, `http://127.0.0.1:${port}`, { apiKey: keys.apiKey ?? FAKE_API_KEY, appKey: keys.appKey ?? FAKE_APP_KEY });
    return holder.fake;
  }

  /** Environment that points the provider at this fake with valid keys. */
  env(): Record<string, string> {
    return { DD_API_KEY: this.keys.apiKey, DD_APP_KEY: this.keys.appKey, DD_ADDRESS: this.url };
  }

  /**
   * Answers requests whose query text contains `matcher` (or matches the RegExp / predicate) with
   * `fixture`. Later rules win, so a test can override a broader one.
   */
  on(matcher: Matcher, fixture: DatadogFixture): this {
    this.rules.push({ matcher, fixture });
    return this;
  }

  /** Forgets rules, requests and problems. */
  reset(): void {
    this.rules.length = 0;
    this.requests.length = 0;
    this.problems.length = 0;
  }

  /** The last request received, for assertions. */
  last(): RecordedRequest | undefined {
    return this.requests.at(-1);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const base = { method: req.method ?? '', path: url.pathname, apiKey: header('dd-api-key'), appKey: header('dd-application-key'), status: 0 };
    let request: RecordedRequest;
    let problem: string | undefined;
    if (req.method === 'GET' && url.pathname === '/api/v1/query') {
      ({ request, problem } = parseV1(base, url));
    } else if (req.method === 'POST' && url.pathname === '/api/v2/query/scalar') {
      ({ request, problem } = parseV2(base, body, header('content-type')));
    } else {
      request = { ...base, api: 'other' };
      this.requests.push(request);
      this.send(res, request, 404, { errors: ['Not found'] });
      return;
    }
    this.requests.push(request);
    if (request.apiKey !== this.keys.apiKey || request.appKey !== this.keys.appKey) {
      this.send(res, request, 403, { errors: ['Forbidden'] });
      return;
    }
    if (problem !== undefined) {
      this.problems.push(problem);
      this.send(res, request, 400, { errors: [problem] });
      return;
    }
    const rule = [...this.rules].reverse().find((r) => matches(r.matcher, request));
    if (!rule) {
      const message = `the fake has no fixture for ${JSON.stringify(queryTexts(request))}`;
      this.send(res, request, 400, { errors: [message] });
      return;
    }
    this.answer(res, request, rule.fixture);
  }

  private answer(res: ServerResponse, request: RecordedRequest, fixture: DatadogFixture): void {
    switch (fixture.kind) {
      case 'slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!res.destroyed) this.answer(res, request, fixture.then);
        }, fixture.delayMs);
        this.timers.add(timer);
        return;
      }
      case 'status':
        this.send(res, request, fixture.status, fixture.body ?? '', fixture.headers);
        return;
      case 'raw':
        this.send(res, request, 200, fixture.body);
        return;
      default:
        this.send(res, request, 200, request.api === 'v1' ? v1Body(request, fixture) : v2Body(request, fixture));
    }
  }

  private send(res: ServerResponse, request: RecordedRequest, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    request.status = status;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' && status !== 200 ? 'text/plain' : 'application/json', ...headers });
    res.end(text);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Base = Omit<RecordedRequest, 'api'>;

function parseV1(base: Base, url: URL): { request: RecordedRequest; problem?: string } {
  const query = url.searchParams.get('query') ?? undefined;
  const from = Number(url.searchParams.get('from'));
  const to = Number(url.searchParams.get('to'));
  const request: RecordedRequest = { ...base, api: 'v1', query, from, to };
  if (query === undefined || query.trim() === '') return { request, problem: 'The parameter query is required' };
  if (!Number.isInteger(from) || !Number.isInteger(to)) return { request, problem: `from and to must be integer Unix seconds, got from=${url.searchParams.get('from')} to=${url.searchParams.get('to')}` };
  if (from >= MS_THRESHOLD || to >= MS_THRESHOLD) return { request, problem: `from and to must be Unix seconds, not milliseconds (from=${from}, to=${to})` };
  if (from > to) return { request, problem: `from (${from}) is after to (${to})` };
  return { request };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseV2(base: Base, body: string, contentType: string | undefined): { request: RecordedRequest; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { request: { ...base, api: 'v2' }, problem: 'the request body is not JSON' };
  }
  const data = isRecord(parsed) ? parsed['data'] : undefined;
  const attributes = isRecord(data) ? data['attributes'] : undefined;
  const attrs = isRecord(attributes) ? attributes : {};
  const rawQueries = Array.isArray(attrs['queries']) ? (attrs['queries'] as unknown[]) : [];
  const queries = rawQueries.map((q) => {
    const r = isRecord(q) ? q : {};
    return { name: String(r['name'] ?? ''), query: String(r['query'] ?? ''), aggregator: String(r['aggregator'] ?? ''), dataSource: String(r['data_source'] ?? '') };
  });
  const rawFormulas = attrs['formulas'];
  const formulas = Array.isArray(rawFormulas) ? rawFormulas.map((f) => (isRecord(f) ? String(f['formula'] ?? '') : '')) : [];
  const from = Number(attrs['from']);
  const to = Number(attrs['to']);
  const request: RecordedRequest = { ...base, api: 'v2', queries, formulas, from, to };
  const problem = ((): string | undefined => {
    if (!contentType?.startsWith('application/json')) return `Content-Type must be application/json, got ${String(contentType)}`;
    if (!isRecord(data) || data['type'] !== 'scalar_request') return 'data.type must be "scalar_request"';
    if (!Number.isInteger(from) || !Number.isInteger(to)) return 'data.attributes.from and to must be integer Unix milliseconds';
    if (from < MS_THRESHOLD || to < MS_THRESHOLD) return `data.attributes.from and to must be Unix milliseconds, not seconds (from=${from}, to=${to})`;
    if (from > to) return `from (${from}) is after to (${to})`;
    if (queries.length === 0) return 'data.attributes.queries must not be empty';
    for (const [i, q] of queries.entries()) {
      if (q.dataSource !== 'metrics') return `queries[${i}].data_source must be "metrics", got ${JSON.stringify(q.dataSource)}`;
      if (q.name === '') return `queries[${i}].name is required`;
      if (q.query.trim() === '') return `queries[${i}].query is required`;
      if (!AGGREGATORS.has(q.aggregator)) return `queries[${i}].aggregator must be one of ${[...AGGREGATORS].join(', ')}, got ${JSON.stringify(q.aggregator)}`;
    }
    if (new Set(queries.map((q) => q.name)).size !== queries.length) return 'query names must be unique';
    if (rawFormulas !== undefined && !Array.isArray(rawFormulas)) return 'data.attributes.formulas must be a list';
    if (formulas.some((f) => f.trim() === '')) return 'formulas[].formula is required';
    return undefined;
  })();
  return problem === undefined ? { request } : { request, problem };
}

function aggregate(values: readonly (number | null)[], aggregator: string): number | null {
  const present = values.filter((v): v is number => v !== null);
  switch (aggregator) {
    // `last` is the raw last point, null included: Datadog answers null for `last` over a
    // series whose final interval is empty (argo-rollouts #3641, with as_count()).
    case 'last':
      return values.length === 0 ? null : (values[values.length - 1] ?? null);
    case 'sum':
    case 'area':
      return present.length === 0 ? null : present.reduce((a, b) => a + b, 0);
    case 'min':
      return present.length === 0 ? null : Math.min(...present);
    case 'max':
      return present.length === 0 ? null : Math.max(...present);
    case 'l2norm':
      return present.length === 0 ? null : Math.sqrt(present.reduce((a, b) => a + b * b, 0));
    default:
      return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
  }
}

function v1Body(request: RecordedRequest, fixture: DatadogFixture): unknown {
  const fromMs = (request.from ?? 0) * 1000;
  const toMs = (request.to ?? 0) * 1000;
  const meta = { aggr: 'avg', metric: request.query ?? '', expression: request.query ?? '', interval: 20, unit: [null, null], start: fromMs, end: toMs };
  const pointlist = (values: readonly (number | null)[]): [number, number | null][] =>
    values.map((v, i) => [values.length === 1 ? toMs : fromMs + ((toMs - fromMs) * i) / (values.length - 1), v]);
  const answer = (series: unknown[]): unknown => ({ status: 'ok', res_type: 'time_series', query: request.query, from_date: fromMs, to_date: toMs, group_by: [], series });
  switch (fixture.kind) {
    case 'series':
      return answer(fixture.series.map((values, i) => ({ ...meta, scope: `series:${i}`, tag_set: [], length: values.length, pointlist: pointlist(values) })));
    case 'groups':
      return answer(fixture.groups.map((g) => ({ ...meta, scope: g.tags.join(','), tag_set: g.tags, length: 1, pointlist: pointlist([g.value]) })));
    case 'empty':
      return answer([]);
    case 'errors':
      return { status: 'error', error: fixture.message, query: request.query, series: [] };
    default:
      return answer([]);
  }
}

function v2Body(request: RecordedRequest, fixture: DatadogFixture): unknown {
  const first = request.queries?.[0];
  const aggregator = first?.aggregator ?? 'last';
  const name = request.formulas?.[0] ?? first?.name ?? 'query';
  const number = (values: (number | null)[]): unknown => ({ name, type: 'number', values, meta: { unit: null } });
  const answer = (columns: unknown[]): unknown => ({ data: { type: 'scalar_response', attributes: { columns } } });
  switch (fixture.kind) {
    case 'series':
      return answer([number(fixture.series.map((values) => aggregate(values, aggregator)))]);
    case 'groups': {
      const dimensions = Math.max(1, ...fixture.groups.map((g) => g.tags.length));
      const groupColumns = Array.from({ length: dimensions }, (_, d) => ({ name: `tag${d}`, type: 'group', values: fixture.groups.map((g) => [g.tags[d] ?? '']) }));
      return answer([...groupColumns, number(fixture.groups.map((g) => g.value))]);
    }
    case 'empty':
      return answer([number([])]);
    case 'errors':
      return { data: { type: 'scalar_response', attributes: { columns: [] } }, errors: fixture.message };
    default:
      return answer([]);
  }
}

/**
 * Starts one fake for the enclosing suite, clears its rules and recordings before each test, and
 * closes it after; returns a getter because the fake exists only once `beforeAll` has run.
 */
export function useDatadogFake(): () => DatadogFake {
  let fake: DatadogFake | undefined;
  beforeAll(async () => {
    fake = await DatadogFake.start();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake?.reset();
  });
  return () => {
    if (!fake) throw new Error('the Datadog fake is used before beforeAll started it');
    return fake;
  };
}
