/**
 * @module test/fakes/kube-api-server
 * An in-process kube-apiserver for tests (DESIGN.md §7: no real API server is installable here).
 * It listens on 127.0.0.1 and is driven by the real `@kubernetes/client-node`, so tests exercise
 * the actual wire format — URLs, Content-Types, Status bodies, watch streams — and assert on the
 * objects it holds, never on mocked call sequences.
 *
 * It behaves like kube-apiserver for the resources registered with it: namespaced and
 * cluster-scoped GET/LIST/WATCH/POST/PUT/PATCH/DELETE, label and field selectors, merge and JSON
 * patches, the `/status` subresource split, one global resourceVersion counter, generation bumps
 * on spec changes, resourceVersion preconditions (409 Conflict), no-op writes that change nothing
 * (no new resourceVersion, no watch event), watch replay from a resourceVersion with a bounded
 * history (older → ERROR 410 Expired), bookmarks, and discovery. Every resource request is
 * recorded in an access log with its RBAC verb, so tests can check the RBAC manifests.
 *
 * Known differences from a real API server are listed on {@link FakeKubeApiServer}.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAllDocuments, stringify } from 'yaml';
import { applyMergePatch, isJsonObject, jsonEqual, type JsonObject } from '../../src/actuators/merge-patch.js';
import { applyJsonPatch, JsonPatchError } from './kube-json-patch.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError, type FieldRequirement, type LabelRequirement } from './kube-selectors.js';

/** A resource type the fake serves. */
export interface FakeResource {
  /** `''` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  /** @defaultValue true */
  readonly namespaced?: boolean;
  /** Serve `/status` with the status/main split. @defaultValue false */
  readonly statusSubresource?: boolean;
  /**
   * Allow PUT without `metadata.resourceVersion`. Core types allow it; custom resources do not
   * (the real server answers 422). @defaultValue true for the core group, false otherwise
   */
  readonly unconditionalUpdate?: boolean;
  /** Field paths allowed in `fieldSelector`. @defaultValue ['metadata.name', 'metadata.namespace'] */
  readonly fieldSelectors?: readonly string[];
  readonly shortNames?: readonly string[];
}

type Resource = Required<Omit<FakeResource, 'shortNames'>> & { readonly shortNames: readonly string[] };

const META_FIELDS = ['metadata.name', 'metadata.namespace'];

/** What the fake serves unless told otherwise: the Argo kinds and the core kinds metricgate touches. */
export const DEFAULT_FAKE_RESOURCES: readonly FakeResource[] = [
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', kind: 'Rollout', statusSubresource: true, shortNames: ['ro'] },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns', kind: 'AnalysisRun', statusSubresource: true, shortNames: ['ar'] },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysistemplates', kind: 'AnalysisTemplate', shortNames: ['at'] },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'clusteranalysistemplates', kind: 'ClusterAnalysisTemplate', namespaced: false, shortNames: ['cat'] },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'experiments', kind: 'Experiment', statusSubresource: true, shortNames: ['exp'] },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', statusSubresource: true, shortNames: ['svc'] },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', statusSubresource: true, shortNames: ['po'] },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', unconditionalUpdate: true },
  {
    group: '',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    shortNames: ['ev'],
    fieldSelectors: [...META_FIELDS, 'involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type', 'source', 'reportingComponent'],
  },
];

/** Verbs as RBAC names them. */
export type RbacVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** One resource request, as an RBAC authorizer would see it. */
export interface AccessRecord {
  readonly verb: RbacVerb;
  readonly group: string;
  /** Plural, e.g. `rollouts`. */
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Patch Content-Type, for checking strategies. */
  readonly contentType?: string;
  /** HTTP status answered (200 for a watch that started). */
  code: number;
}

/** A permission as an RBAC rule grants it: `resource` is `rollouts` or `rollouts/status`. */
export interface Permission {
  readonly verb: RbacVerb;
  readonly group: string;
  readonly resource: string;
}

/** Selects requests for {@link FakeKubeApiServer.beforeNext} and {@link FakeKubeApiServer.failNext}. */
export interface RequestFilter {
  readonly verb?: RbacVerb;
  readonly group?: string;
  readonly resource?: string;
  /** `null` matches only requests to the main resource. */
  readonly subresource?: string | null;
  readonly namespace?: string;
  readonly name?: string;
}

/** Identifies a resource type in the store (a `ResourceRef` from src/actuators/kube.ts fits). */
export interface ResourceKey {
  readonly group: string;
  readonly plural: string;
}

/** Direct access to the stored objects, as another writer (a controller, a human) would change them. */
export interface FakeStore {
  /** A copy of one object, or undefined. */
  get(resource: ResourceKey, namespace: string | undefined, name: string): JsonObject | undefined;
  /** Copies of all objects of a type, optionally in one namespace, sorted by namespace and name. */
  list(resource: ResourceKey, namespace?: string): JsonObject[];
  /**
   * Creates or overwrites an object as-is (status included), resolving its type from apiVersion
   * and kind; assigns uid, creationTimestamp and a new resourceVersion; emits watch events.
   */
  put(object: unknown): JsonObject;
  /** Read-modify-write of one object (status included) with the same effects as {@link put}. */
  update(resource: ResourceKey, namespace: string | undefined, name: string, mutate: (object: JsonObject) => void): JsonObject;
  /** Removes an object; false when absent. */
  delete(resource: ResourceKey, namespace: string | undefined, name: string): boolean;
  /** The current global resourceVersion. */
  readonly resourceVersion: string;
}

/** Options of {@link FakeKubeApiServer.start}. */
export interface FakeKubeApiServerOptions {
  /** Resource types served. @defaultValue DEFAULT_FAKE_RESOURCES */
  readonly resources?: readonly FakeResource[];
  /** Write events kept for watch replay; older resourceVersions get 410. @defaultValue 1000 */
  readonly historyLimit?: number;
  /** When set, requests must carry `Authorization: Bearer <token>` (else 401). */
  readonly token?: string;
  /** YAML documents loaded into the store before the server answers. */
  readonly seed?: string | readonly string[];
  /** Clock for creationTimestamp, epoch ms. @defaultValue Date.now */
  readonly now?: () => number;
}

interface HistoryEntry {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resource: Resource;
  readonly namespace: string | undefined;
  readonly object: JsonObject;
  readonly previous?: JsonObject;
}

interface Watcher {
  readonly resource: Resource;
  readonly namespace: string | undefined;
  readonly labels: readonly LabelRequirement[];
  readonly fields: readonly FieldRequirement[];
  readonly bookmarks: boolean;
  readonly res: ServerResponse;
}

interface Route {
  readonly resource: Resource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** An HTTP error answered with a Kubernetes `Status` body. */
class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const APPLY = 'application/apply-patch+yaml';

function statusBody(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function keyOf(resource: ResourceKey, namespace: string | undefined, name: string): string {
  return `${resource.group}/${resource.plural}/${namespace ?? ''}/${name}`;
}

function qualified(resource: Resource): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

function apiVersionOf(resource: Resource): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

function metaOf(object: JsonObject): JsonObject {
  return isJsonObject(object['metadata']) ? object['metadata'] : {};
}

function labelsOf(object: JsonObject): Record<string, unknown> | undefined {
  const labels = metaOf(object)['labels'];
  return isJsonObject(labels) ? labels : undefined;
}

/** Everything except metadata (and status, when status is a subresource): what bumps generation. */
function specPart(object: JsonObject, resource: Resource): JsonObject {
  const { metadata: _metadata, status, ...rest } = object;
  return resource.statusSubresource ? rest : { ...rest, status };
}

function nowIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function matches(filter: RequestFilter, record: AccessRecord): boolean {
  return (
    (filter.verb === undefined || filter.verb === record.verb) &&
    (filter.group === undefined || filter.group === record.group) &&
    (filter.resource === undefined || filter.resource === record.resource) &&
    (filter.subresource === undefined || (filter.subresource ?? undefined) === record.subresource) &&
    (filter.namespace === undefined || filter.namespace === record.namespace) &&
    (filter.name === undefined || filter.name === record.name)
  );
}

/**
 * The fake API server. Start with {@link FakeKubeApiServer.start}; stop with {@link close}.
 *
 * Known gaps versus kube-apiserver (deliberate; none matter to metricgate's calls):
 * - no authorization (RBAC is checked by comparing {@link permissionsUsed} with manifests), no
 *   admission, no schema validation or defaulting of CRDs, no name validation beyond non-empty;
 * - namespaces are not objects: any namespace exists;
 * - strategic merge patches are applied as JSON merge patches for every type (the real server
 *   rejects them for CRDs with 415 and uses patch-merge keys for core lists);
 * - no server-side apply, no `deletecollection`, no finalizers or graceful deletion (DELETE
 *   options and preconditions are ignored), no owner-reference garbage collection, no
 *   managedFields, no `generateName` retry on collision;
 * - LIST ignores `limit`/`continue` and `resourceVersion` (always the latest state);
 * - bookmarks are sent on demand ({@link bookmark}) and after initial events when
 *   `sendInitialEvents=true`, not on a timer; one storage version per resource.
 */
export class FakeKubeApiServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Every resource request in arrival order. */
  readonly accessLog: AccessRecord[] = [];
  /** Direct store access for seeding, simulating other writers, and assertions. */
  readonly store: FakeStore;

  private readonly resources = new Map<string, Resource>();
  private readonly objects = new Map<string, JsonObject>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly hooks: { filter: RequestFilter; action: () => unknown }[] = [];
  private readonly failures: { filter: RequestFilter; code: number; reason: string; message: string }[] = [];
  private readonly watcherWaits: { count: number; resolve: () => void }[] = [];
  private rv = 0;
  /** Watches may start from this resourceVersion or later; older ones get 410. */
  private oldestReplayable = 0;
  private readonly historyLimit: number;
  private readonly token: string | undefined;
  private readonly now: () => number;

  private constructor(
    private readonly server: Server,
    options: FakeKubeApiServerOptions,
  ) {
    const address = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}`;
    this.historyLimit = options.historyLimit ?? 1000;
    this.token = options.token;
    this.now = options.now ?? Date.now;
    for (const resource of options.resources ?? DEFAULT_FAKE_RESOURCES) this.register(resource);
    this.store = this.makeStore();
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  static async start(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const fake = new FakeKubeApiServer(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res).catch((err: unknown) => fake.fail(res, undefined, new StatusError(500, 'InternalError', `fake API server bug: ${(err as Error).message}`)));
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    const seeds = options.seed === undefined ? [] : typeof options.seed === 'string' ? [options.seed] : options.seed;
    for (const yaml of seeds) fake.seed(yaml);
    return fake;
  }

  /** Serves another resource type (a traffic router's CRD, say). */
  register(resource: FakeResource): void {
    this.resources.set(`${resource.group}/${resource.plural}`, {
      namespaced: true,
      statusSubresource: false,
      unconditionalUpdate: resource.group === '',
      fieldSelectors: META_FIELDS,
      ...resource,
      shortNames: resource.shortNames ?? [],
    });
  }

  /** Loads every object in a (multi-document) YAML string into the store, status included. */
  seed(yaml: string): JsonObject[] {
    const loaded: JsonObject[] = [];
    for (const doc of parseAllDocuments(yaml)) {
      if (doc.errors.length > 0) throw new Error(`seed YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      const object: unknown = doc.toJS();
      if (object === null || object === undefined) continue;
      loaded.push(this.store.put(object));
    }
    return loaded;
  }

  /** Distinct permissions the requests so far needed, sorted; compare with a Role's rules. */
  permissionsUsed(): Permission[] {
    const seen = new Map<string, Permission>();
    for (const r of this.accessLog) {
      const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
      seen.set(`${r.group}|${resource}|${r.verb}`, { verb: r.verb, group: r.group, resource });
    }
    return [...seen.values()].sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource) || a.verb.localeCompare(b.verb));
  }

  /**
   * Runs `action` once, right before the next request matching `filter` is handled — a
   * concurrent writer landing between a client's read and its write. The hook is consumed first,
   * so requests the action itself makes do not trigger it again.
   */
  beforeNext(filter: RequestFilter, action: () => unknown): void {
    this.hooks.push({ filter, action });
  }

  /** Answers the next request matching `filter` with this error instead of handling it. */
  failNext(filter: RequestFilter, failure: { code: number; reason: string; message?: string }): void {
    this.failures.push({ filter, code: failure.code, reason: failure.reason, message: failure.message ?? `injected ${failure.reason}` });
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that allows them; returns how many. */
  bookmark(): number {
    let sent = 0;
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      this.writeEvent(w.res, 'BOOKMARK', this.bookmarkObject(w.resource));
      sent++;
    }
    return sent;
  }

  /** Forgets all history: watches from any resourceVersion before now get 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.oldestReplayable = this.rv;
  }

  /** Resolves once at least `count` watch streams are open. */
  waitForWatchers(count = 1): Promise<void> {
    if (this.watchers.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.watcherWaits.push({ count, resolve }));
  }

  /** A kubeconfig (YAML) pointing at this server, for `--kubeconfig` in CLI tests. */
  kubeconfig(options: { namespace?: string; context?: string } = {}): string {
    const context = options.context ?? 'fake';
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake', user: this.token !== undefined ? { token: this.token } : {} }],
      contexts: [{ name: context, context: { cluster: 'fake', user: 'fake', ...(options.namespace ? { namespace: options.namespace } : {}) } }],
      'current-context': context,
    });
  }

  /** Ends open watches and stops listening. */
  async close(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- request handling ----------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let record: AccessRecord | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
        throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      }
      const segments = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => {
          try {
            return decodeURIComponent(s);
          } catch {
            throw new StatusError(400, 'BadRequest', `malformed path segment ${JSON.stringify(s)}`);
          }
        });
      if (this.discovery(segments, req, res)) return;
      const path = this.parsePath(segments);
      if (path?.plural === undefined) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      const method = (req.method ?? 'GET').toUpperCase();
      const watch = method === 'GET' && ['true', '1'].includes(url.searchParams.get('watch') ?? '');
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      record = {
        verb: this.verbOf(method, path.name !== undefined, watch),
        group: path.group,
        resource: path.plural,
        ...(path.subresource !== undefined ? { subresource: path.subresource } : {}),
        ...(path.namespace !== undefined ? { namespace: path.namespace } : {}),
        ...(path.name !== undefined ? { name: path.name } : {}),
        ...(method === 'PATCH' ? { contentType } : {}),
        code: 0,
      };
      this.accessLog.push(record);
      const route = this.resolve(path);
      // The real server refuses an unknown patch type before it looks at the body.
      if (method === 'PATCH' && ![MERGE, STRATEGIC, JSON_PATCH, APPLY].includes(contentType)) this.applyPatch({}, undefined, contentType);
      const body = await this.readBody(req);
      const current = record;
      const hook = this.hooks.findIndex((h) => matches(h.filter, current));
      if (hook >= 0) {
        const [taken] = this.hooks.splice(hook, 1);
        await taken?.action();
      }
      const failure = this.failures.findIndex((f) => matches(f.filter, current));
      if (failure >= 0) {
        const [taken] = this.failures.splice(failure, 1);
        if (taken) throw new StatusError(taken.code, taken.reason, taken.message);
      }
      if (watch) {
        this.watch(route, url, res, record);
        return;
      }
      const [code, answer] = this.dispatch(method, route, url, body, contentType);
      this.send(res, code, answer, record);
    } catch (err) {
      this.fail(res, record, err);
    }
  }

  private verbOf(method: string, named: boolean, watch: boolean): RbacVerb {
    switch (method) {
      case 'GET':
        return named ? 'get' : watch ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return named ? 'delete' : 'deletecollection';
      default:
        throw new StatusError(405, 'MethodNotAllowed', `method ${method} is not supported`);
    }
  }

  private dispatch(method: string, route: Route, url: URL, body: unknown, contentType: string): [number, unknown] {
    const { resource, namespace, name, subresource } = route;
    if (name === undefined) {
      if (method === 'GET') return [200, this.list(resource, namespace, url)];
      if (method === 'POST') {
        if (resource.namespaced && namespace === undefined) throw new StatusError(405, 'MethodNotAllowed', `create ${qualified(resource)} needs a namespace in the path`);
        return [201, this.create(resource, namespace, body)];
      }
      throw new StatusError(405, 'MethodNotAllowed', `${method} on a collection of ${qualified(resource)} is not supported by the fake`);
    }
    const current = this.objects.get(keyOf(resource, namespace, name));
    if (current === undefined) {
      throw new StatusError(404, 'NotFound', `${qualified(resource)} "${name}" not found`, { name, group: resource.group, kind: resource.plural });
    }
    switch (method) {
      case 'GET':
        return [200, structuredClone(current)];
      case 'PUT':
        return [200, this.update(resource, namespace, name, subresource, current, body, true)];
      case 'PATCH':
        return [200, this.update(resource, namespace, name, subresource, current, this.applyPatch(current, body, contentType), false)];
      case 'DELETE':
        if (subresource !== undefined) throw new StatusError(405, 'MethodNotAllowed', `DELETE on ${subresource} is not allowed`);
        return [200, this.remove(resource, namespace, name)];
      default:
        throw new StatusError(405, 'MethodNotAllowed', `${method} is not allowed on ${qualified(resource)} "${name}"`);
    }
  }

  /**
   * Maps a resource path to its parts. Unregistered resources and invalid shapes are 404 like the
   * real server, but only after the request is logged: an authorizer sees it either way.
   */
  private parsePath(segments: readonly string[]): { group: string; version?: string; plural?: string; namespace?: string; name?: string; subresource?: string; extra: number } | undefined {
    let group: string;
    let version: string | undefined;
    let rest: readonly string[];
    if (segments[0] === 'api') {
      group = '';
      version = segments[1];
      rest = segments.slice(2);
    } else if (segments[0] === 'apis') {
      group = segments[1] ?? '';
      version = segments[2];
      rest = segments.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource, ...extra] = rest;
    return { group, version, plural, namespace, name, subresource, extra: extra.length };
  }

  private resolve(path: NonNullable<ReturnType<FakeKubeApiServer['parsePath']>>): Route {
    const notFound = new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const { group, version, plural, namespace, name, subresource } = path;
    const resource = plural === undefined ? undefined : this.resources.get(`${group}/${plural}`);
    if (resource === undefined || resource.version !== version || path.extra > 0) throw notFound;
    if (!resource.namespaced && namespace !== undefined) throw notFound;
    if (resource.namespaced && namespace === undefined && name !== undefined) throw notFound;
    if (subresource !== undefined && !(subresource === 'status' && resource.statusSubresource)) throw notFound;
    return { resource, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}), ...(subresource !== undefined ? { subresource } : {}) };
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) throw new StatusError(413, 'RequestEntityTooLarge', `request body larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new StatusError(400, 'BadRequest', `the request body is not valid JSON: ${(err as Error).message}`);
    }
  }

  private list(resource: Resource, namespace: string | undefined, url: URL): JsonObject {
    const labels = this.selectors(() => parseLabelSelector(url.searchParams.get('labelSelector')));
    const fields = this.selectors(() => parseFieldSelector(url.searchParams.get('fieldSelector'), resource.fieldSelectors));
    const items = this.store.list(resource, namespace).filter((o) => matchesLabels(labels, labelsOf(o)) && matchesFields(fields, o));
    return { apiVersion: apiVersionOf(resource), kind: `${resource.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  private selectors<T>(parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (err instanceof SelectorError) throw new StatusError(400, 'BadRequest', err.message);
      throw err;
    }
  }

  private create(resource: Resource, namespace: string | undefined, body: unknown): JsonObject {
    if (!isJsonObject(body)) throw new StatusError(400, 'BadRequest', `the body of a create must be a JSON object`);
    this.checkEnvelope(resource, body);
    const meta = metaOf(body);
    if (typeof meta['namespace'] === 'string' && meta['namespace'] !== '' && resource.namespaced && meta['namespace'] !== namespace) {
      throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    let name = typeof meta['name'] === 'string' ? meta['name'] : '';
    if (name === '' && typeof meta['generateName'] === 'string' && meta['generateName'] !== '') {
      name = `${meta['generateName']}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    if (name === '' || name.includes('/')) {
      throw new StatusError(422, 'Invalid', `${resource.kind} "${name}" is invalid: metadata.name: Required value: name or generateName is required`);
    }
    if (this.objects.has(keyOf(resource, namespace, name))) {
      throw new StatusError(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`, { name, group: resource.group, kind: resource.plural });
    }
    const object: JsonObject = { ...structuredClone(body), apiVersion: apiVersionOf(resource), kind: resource.kind };
    // Custom resources with a status subresource drop status on create (the CRD strategy does).
    if (resource.statusSubresource) delete object['status'];
    const { resourceVersion: _rv, ...rest } = meta;
    object['metadata'] = {
      ...rest,
      name,
      ...(resource.namespaced ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: nowIso(this.now()),
      generation: 1,
    };
    return this.commit(resource, namespace, name, object, undefined);
  }

  private checkEnvelope(resource: Resource, body: JsonObject): void {
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersionOf(resource)) {
      throw new StatusError(400, 'BadRequest', `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${apiVersionOf(resource)})`);
    }
    if (body['kind'] !== undefined && body['kind'] !== resource.kind) {
      throw new StatusError(400, 'BadRequest', `the kind in the data (${String(body['kind'])}) does not match the expected kind (${resource.kind})`);
    }
  }

  private applyPatch(current: JsonObject, body: unknown, contentType: string): unknown {
    switch (contentType) {
      case MERGE:
      case STRATEGIC:
        if (!isJsonObject(body)) throw new StatusError(400, 'BadRequest', `a ${contentType} body must be a JSON object`);
        return applyMergePatch(current, body);
      case JSON_PATCH:
        try {
          return applyJsonPatch(current, body);
        } catch (err) {
          if (err instanceof JsonPatchError) {
            throw err.kind === 'malformed' ? new StatusError(400, 'BadRequest', err.message) : new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${err.message}`);
          }
          throw err;
        }
      case APPLY:
        throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply is not supported by the fake API server');
      default:
        throw new StatusError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format (${contentType || 'no Content-Type'}) - accepted media types include: ${JSON_PATCH}, ${MERGE}, ${APPLY}`,
        );
    }
  }

  /**
   * PUT and PATCH: the candidate object (the PUT body, or the patch applied to the stored object)
   * becomes the new object, subject to preconditions and the status/main split.
   */
  private update(resource: Resource, namespace: string | undefined, name: string, subresource: string | undefined, current: JsonObject, candidate: unknown, isPut: boolean): JsonObject {
    if (!isJsonObject(candidate)) throw new StatusError(400, 'BadRequest', 'the object must be a JSON object');
    this.checkEnvelope(resource, candidate);
    const meta = metaOf(candidate);
    const currentMeta = metaOf(current);
    if (meta['name'] !== undefined && meta['name'] !== name) {
      throw new StatusError(400, 'BadRequest', `the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
    }
    if (resource.namespaced && meta['namespace'] !== undefined && meta['namespace'] !== '' && meta['namespace'] !== namespace) {
      throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    const rv = meta['resourceVersion'];
    if (typeof rv === 'string' && rv !== '' && rv !== currentMeta['resourceVersion']) {
      throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, {
        name,
        group: resource.group,
        kind: resource.plural,
      });
    }
    if (isPut && (rv === undefined || rv === '') && !resource.unconditionalUpdate) {
      throw new StatusError(422, 'Invalid', `${resource.kind}${resource.group ? `.${resource.group}` : ''} "${name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`);
    }
    let next: JsonObject;
    if (subresource === 'status') {
      // A status write changes status and nothing else.
      next = structuredClone(current);
      if (candidate['status'] === undefined) delete next['status'];
      else next['status'] = structuredClone(candidate['status']);
    } else {
      next = { ...structuredClone(candidate), apiVersion: current['apiVersion'], kind: current['kind'] };
      if (resource.statusSubresource) {
        // A main-resource write ignores status changes.
        if (current['status'] === undefined) delete next['status'];
        else next['status'] = structuredClone(current['status']);
      }
      next['metadata'] = {
        ...meta,
        name,
        ...(resource.namespaced ? { namespace } : {}),
        uid: currentMeta['uid'],
        creationTimestamp: currentMeta['creationTimestamp'],
        generation: currentMeta['generation'],
        resourceVersion: currentMeta['resourceVersion'],
      };
    }
    if (jsonEqual(next, current)) return structuredClone(current);
    return this.commit(resource, namespace, name, next, current);
  }

  private remove(resource: Resource, namespace: string | undefined, name: string): JsonObject {
    const key = keyOf(resource, namespace, name);
    const current = this.objects.get(key);
    if (current === undefined) throw new StatusError(404, 'NotFound', `${qualified(resource)} "${name}" not found`);
    this.objects.delete(key);
    const rv = ++this.rv;
    const final: JsonObject = { ...current, metadata: { ...metaOf(current), resourceVersion: String(rv) } };
    this.record({ rv, type: 'DELETED', resource, namespace, object: final });
    return structuredClone(final);
  }

  /** Stores a new version: bumps resourceVersion (and generation on spec changes), emits the event. */
  private commit(resource: Resource, namespace: string | undefined, name: string, object: JsonObject, previous: JsonObject | undefined): JsonObject {
    const rv = ++this.rv;
    const meta = metaOf(object);
    const previousGeneration = previous ? Number(metaOf(previous)['generation'] ?? 1) : undefined;
    const generation =
      previousGeneration === undefined
        ? Number(meta['generation'] ?? 1)
        : previous !== undefined && !jsonEqual(specPart(object, resource), specPart(previous, resource))
          ? previousGeneration + 1
          : previousGeneration;
    const stored: JsonObject = { ...object, metadata: { ...meta, generation, resourceVersion: String(rv) } };
    this.objects.set(keyOf(resource, namespace, name), stored);
    this.record({ rv, type: previous ? 'MODIFIED' : 'ADDED', resource, namespace, object: stored, ...(previous ? { previous } : {}) });
    return structuredClone(stored);
  }

  private record(entry: HistoryEntry): void {
    this.history.push(entry);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.oldestReplayable = dropped.rv;
    }
    for (const w of this.watchers) {
      const event = this.translate(entry, w);
      if (event) this.writeEvent(w.res, event.type, event.object);
    }
  }

  // ---- watch -----------------------------------------------------------------------------------

  private watch(route: Route, url: URL, res: ServerResponse, record: AccessRecord): void {
    const { resource, namespace } = route;
    const labels = this.selectors(() => parseLabelSelector(url.searchParams.get('labelSelector')));
    const fields = this.selectors(() => parseFieldSelector(url.searchParams.get('fieldSelector'), resource.fieldSelectors));
    const bookmarks = ['true', '1'].includes(url.searchParams.get('allowWatchBookmarks') ?? '');
    const sendInitial = url.searchParams.get('sendInitialEvents') === 'true';
    const from = url.searchParams.get('resourceVersion') ?? '';
    const watcher: Watcher = { resource, namespace, labels, fields, bookmarks, res };
    let initial: { type: string; object: JsonObject }[];
    if (from === '' || from === '0' || sendInitial) {
      initial = this.store
        .list(resource, namespace)
        .filter((o) => this.selects(watcher, o))
        .map((object) => ({ type: 'ADDED', object }));
    } else {
      if (!/^\d+$/.test(from)) throw new StatusError(400, 'BadRequest', `invalid resource version: ${JSON.stringify(from)}`);
      const since = Number(from);
      if (since < this.oldestReplayable) {
        this.startStream(res, record);
        this.writeEvent(res, 'ERROR', statusBody(410, 'Expired', `too old resource version: ${since} (${this.rv})`));
        res.end();
        return;
      }
      initial = this.history
        .filter((e) => e.rv > since)
        .map((e) => this.translate(e, watcher))
        .filter((e): e is { type: string; object: JsonObject } => e !== undefined);
    }
    this.startStream(res, record);
    for (const event of initial) this.writeEvent(res, event.type, event.object);
    if (sendInitial && bookmarks) {
      const mark = this.bookmarkObject(resource);
      this.writeEvent(res, 'BOOKMARK', { ...mark, metadata: { ...metaOf(mark), annotations: { 'k8s.io/initial-events-end': 'true' } } });
    }
    this.watchers.add(watcher);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    timer?.unref();
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(watcher);
    });
    for (const wait of [...this.watcherWaits]) {
      if (this.watchers.size >= wait.count) {
        this.watcherWaits.splice(this.watcherWaits.indexOf(wait), 1);
        wait.resolve();
      }
    }
  }

  private startStream(res: ServerResponse, record: AccessRecord): void {
    record.code = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
  }

  private selects(w: Watcher, object: JsonObject): boolean {
    return matchesLabels(w.labels, labelsOf(object)) && matchesFields(w.fields, object);
  }

  /** What a watcher sees of a change: selector transitions turn MODIFIED into ADDED or DELETED. */
  private translate(entry: HistoryEntry, w: Watcher): { type: string; object: JsonObject } | undefined {
    if (entry.resource !== w.resource || (w.namespace !== undefined && entry.namespace !== w.namespace)) return undefined;
    const now = this.selects(w, entry.object);
    if (entry.type !== 'MODIFIED') return now ? { type: entry.type, object: entry.object } : undefined;
    const before = entry.previous !== undefined && this.selects(w, entry.previous);
    if (before && now) return { type: 'MODIFIED', object: entry.object };
    if (now) return { type: 'ADDED', object: entry.object };
    if (before) return { type: 'DELETED', object: entry.object };
    return undefined;
  }

  private bookmarkObject(resource: Resource): JsonObject {
    return { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata: { resourceVersion: String(this.rv) } };
  }

  private writeEvent(res: ServerResponse, type: string, object: JsonObject): void {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  }

  // ---- discovery -------------------------------------------------------------------------------

  private discovery(segments: readonly string[], req: IncomingMessage, res: ServerResponse): boolean {
    if ((req.method ?? 'GET').toUpperCase() !== 'GET') return false;
    const path = segments.join('/');
    const all = [...this.resources.values()];
    const groups = [...new Set(all.filter((r) => r.group !== '').map((r) => r.group))].sort();
    const groupObject = (group: string): JsonObject => {
      const versions = [...new Set(all.filter((r) => r.group === group).map((r) => r.version))].map((version) => ({ groupVersion: `${group}/${version}`, version }));
      return { name: group, versions, preferredVersion: versions[0] };
    };
    const resourceList = (group: string, version: string): JsonObject => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources: all
        .filter((r) => r.group === group && r.version === version)
        .flatMap((r) => [
          {
            name: r.plural,
            singularName: r.kind.toLowerCase(),
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
            ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
          },
          ...(r.statusSubresource ? [{ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }] : []),
        ]),
    });
    let answer: unknown;
    if (path === 'version') answer = { major: '1', minor: '30', gitVersion: 'v1.30.0-metricgate-fake', platform: `${process.platform}/${process.arch}` };
    else if (path === 'healthz' || path === 'readyz' || path === 'livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return true;
    } else if (path === 'api') answer = { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: new URL(this.url).host }] };
    else if (path === 'api/v1') answer = resourceList('', 'v1');
    else if (path === 'apis') answer = { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupObject) };
    else if (segments[0] === 'apis' && segments.length === 2 && groups.includes(segments[1] ?? '')) answer = { kind: 'APIGroup', apiVersion: 'v1', ...groupObject(segments[1] ?? '') };
    else if (segments[0] === 'apis' && segments.length === 3 && all.some((r) => r.group === segments[1] && r.version === segments[2])) answer = resourceList(segments[1] ?? '', segments[2] ?? '');
    else return false;
    this.send(res, 200, answer, undefined);
    return true;
  }

  // ---- responses -------------------------------------------------------------------------------

  private send(res: ServerResponse, code: number, body: unknown, record: AccessRecord | undefined): void {
    if (record) record.code = code;
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, record: AccessRecord | undefined, err: unknown): void {
    const status = err instanceof StatusError ? err : new StatusError(500, 'InternalError', `fake API server error: ${(err as Error).message}`);
    this.send(res, status.code, statusBody(status.code, status.reason, status.message, status.details), record);
  }

  // ---- store -----------------------------------------------------------------------------------

  private resourceFor(key: ResourceKey): Resource {
    const resource = this.resources.get(`${key.group}/${key.plural}`);
    if (resource === undefined) throw new Error(`fake API server: resource ${key.plural}${key.group ? `.${key.group}` : ''} is not registered`);
    return resource;
  }

  private makeStore(): FakeStore {
    const currentVersion = (): number => this.rv;
    const resourceOfObject = (object: JsonObject): Resource => {
      const apiVersion = String(object['apiVersion'] ?? '');
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      const resource = [...this.resources.values()].find((r) => r.group === group && r.version === version && r.kind === object['kind']);
      if (resource === undefined) throw new Error(`fake API server: no registered resource for apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(object['kind'])}`);
      return resource;
    };
    const put = (input: unknown): JsonObject => {
      if (!isJsonObject(input)) throw new Error(`fake API server: cannot store ${JSON.stringify(input)}: not an object`);
      const resource = resourceOfObject(input);
      const meta = metaOf(input);
      const name = meta['name'];
      if (typeof name !== 'string' || name === '') throw new Error(`fake API server: ${String(input['kind'])} without metadata.name`);
      const namespace = resource.namespaced ? (typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default') : undefined;
      const previous = this.objects.get(keyOf(resource, namespace, name));
      const previousMeta = previous ? metaOf(previous) : {};
      const object: JsonObject = {
        ...structuredClone(input),
        metadata: {
          ...meta,
          ...(namespace !== undefined ? { namespace } : {}),
          uid: meta['uid'] ?? previousMeta['uid'] ?? randomUUID(),
          creationTimestamp: meta['creationTimestamp'] ?? previousMeta['creationTimestamp'] ?? nowIso(this.now()),
        },
      };
      // Writing back what is stored changes nothing, as on the real server.
      if (previous !== undefined && jsonEqual({ ...object, metadata: { ...previousMeta, ...metaOf(object) } }, previous)) return structuredClone(previous);
      return this.commit(resource, namespace, name, object, previous);
    };
    return {
      get: (resource, namespace, name) => {
        const found = this.objects.get(keyOf(this.resourceFor(resource), namespace, name));
        return found === undefined ? undefined : structuredClone(found);
      },
      list: (resource, namespace) => {
        const r = this.resourceFor(resource);
        const prefix = `${r.group}/${r.plural}/`;
        return [...this.objects.entries()]
          .filter(([key, o]) => key.startsWith(prefix) && (namespace === undefined || metaOf(o)['namespace'] === namespace))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([, o]) => structuredClone(o));
      },
      put,
      update: (resource, namespace, name, mutate) => {
        const found = this.objects.get(keyOf(this.resourceFor(resource), namespace, name));
        if (found === undefined) throw new Error(`fake API server: ${resource.plural} ${namespace ?? ''}/${name} does not exist`);
        const copy = structuredClone(found);
        mutate(copy);
        return put(copy);
      },
      delete: (resource, namespace, name) => {
        const r = this.resourceFor(resource);
        if (!this.objects.has(keyOf(r, namespace, name))) return false;
        this.remove(r, namespace, name);
        return true;
      },
      get resourceVersion() {
        return String(currentVersion());
      },
    };
  }
}
