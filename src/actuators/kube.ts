/**
 * @module actuators/kube
 * The KubeObjects port (DESIGN.md §4): the few Kubernetes calls actuation needs — get, list,
 * create, replace, patch with an explicit strategy, delete, watch, and recording an Event — over
 * any resource addressed by group/version/plural, so Rollouts, AnalysisRuns, Secrets and later
 * the traffic routers' CRDs all go through one small, fakeable surface.
 *
 * Implementation choice: every call goes through client-node's `CustomObjectsApi`. It is the
 * library's generic group/version/plural client, supports the `/status` subresource, and returns
 * the server's JSON untouched. The typed clients (`CoreV1Api`, `KubernetesObjectApi`) deserialize
 * into model classes that turn timestamps into `Date` and drop fields the model does not know,
 * which would make a core object and a CRD look different to callers. The only difference of the
 * core group is its URL prefix (`/api/v1` instead of `/apis/<group>/<version>`), which one
 * request middleware rewrites. Watches use client-node's `Watch` on the same paths.
 *
 * Errors never leak as client exceptions: every failure becomes a {@link KubeError} subclass.
 * Credentials are found by kube-config.ts.
 */
import {
  ApiException,
  CustomObjectsApi,
  Observable,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type ConfigurationOptions,
  type KubeConfig,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { systemClock, type Clock } from '../engine/clock.js';
import {
  AlreadyExistsError,
  ConflictError,
  GoneError,
  KubeError,
  NotFoundError,
  UnreachableError,
  type KubeErrorCode,
} from './kube-errors.js';
import { isJsonObject } from './merge-patch.js';

/** A resource type, addressed the way the API server routes it. */
export interface ResourceRef {
  /** API group; `''` for the core group (Secrets, Services, Events). */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural as in the URL and in RBAC rules, e.g. `rollouts`. */
  readonly plural: string;
  readonly kind: string;
  /** False for cluster-scoped resources (ClusterAnalysisTemplate). */
  readonly namespaced: boolean;
}

/** Builds a {@link ResourceRef} for any CRD, e.g. a traffic router's VirtualService. */
export function resourceRef(group: string, version: string, plural: string, kind: string, namespaced = true): ResourceRef {
  return { group, version, plural, kind, namespaced };
}

/** The resources metricgate reads and writes. */
export const RESOURCES = {
  rollouts: resourceRef('argoproj.io', 'v1alpha1', 'rollouts', 'Rollout'),
  analysisRuns: resourceRef('argoproj.io', 'v1alpha1', 'analysisruns', 'AnalysisRun'),
  analysisTemplates: resourceRef('argoproj.io', 'v1alpha1', 'analysistemplates', 'AnalysisTemplate'),
  clusterAnalysisTemplates: resourceRef('argoproj.io', 'v1alpha1', 'clusteranalysistemplates', 'ClusterAnalysisTemplate', false),
  secrets: resourceRef('', 'v1', 'secrets', 'Secret'),
  services: resourceRef('', 'v1', 'services', 'Service'),
  events: resourceRef('', 'v1', 'events', 'Event'),
  leases: resourceRef('coordination.k8s.io', 'v1', 'leases', 'Lease'),
} as const satisfies Record<string, ResourceRef>;

/** `v1` for the core group, else `<group>/<version>`. */
export function apiVersionOf(resource: ResourceRef): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** Object metadata fields callers read; the server may send more. */
export interface ObjectMetadata {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** Any Kubernetes object, as JSON. Fields beyond the envelope are the caller's to narrow. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMetadata;
  readonly [field: string]: unknown;
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  /** JSON Pointer (RFC 6901), e.g. `/spec/paused`. */
  readonly path: string;
  readonly value?: unknown;
  /** Source pointer for `move` and `copy`. */
  readonly from?: string;
}

/**
 * A patch and its strategy, always explicit (a wrong Content-Type silently changes semantics):
 * `merge` = `application/merge-patch+json` (RFC 7386), `json` = `application/json-patch+json`
 * (RFC 6902), `strategic` = `application/strategic-merge-patch+json` (core types only; the API
 * server rejects it for CRDs).
 */
export type KubePatch =
  | { readonly strategy: 'merge' | 'strategic'; readonly body: Readonly<Record<string, unknown>> }
  | { readonly strategy: 'json'; readonly body: readonly JsonPatchOperation[] };

/** A patch strategy's name. */
export type PatchStrategyName = KubePatch['strategy'];

const CONTENT_TYPE: Readonly<Record<PatchStrategyName, string>> = {
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
  strategic: PatchStrategy.StrategicMergePatch,
};

/** Where a single-object call goes. */
export interface ObjectOptions {
  /** Required for namespaced resources, forbidden for cluster-scoped ones. */
  readonly namespace?: string;
  /** `status` addresses the status subresource: writes there change only `.status`. */
  readonly subresource?: 'status';
}

/** Options of {@link KubeObjects.patch}. */
export interface PatchOptions extends ObjectOptions {
  /**
   * Precondition: the write fails with {@link ConflictError} unless the object is still at this
   * resourceVersion. For merge and strategic patches it travels as `metadata.resourceVersion` in
   * the body; for JSON patches as a trailing `replace` of `/metadata/resourceVersion`. Either way
   * the API server compares it with the stored object and answers 409 on a mismatch.
   */
  readonly resourceVersion?: string;
}

/** Options of {@link KubeObjects.list}. */
export interface ListOptions {
  /** Omitted: every namespace (or the cluster-scoped collection). */
  readonly namespace?: string;
  /** e.g. `app=checkout,tier in (web,api),!legacy`. */
  readonly labelSelector?: string;
  /** e.g. `metadata.name=checkout`. */
  readonly fieldSelector?: string;
}

/** A list answer: the items and the collection's resourceVersion to watch from. */
export interface KubeList<T extends KubeObject = KubeObject> {
  readonly items: T[];
  readonly resourceVersion: string;
}

/** Options of {@link KubeObjects.watch}. */
export interface WatchOptions extends ListOptions {
  /**
   * Start after this resourceVersion (events newer than it are replayed). Omitted: the server
   * first sends ADDED for every existing object. Too old: the watch fails with {@link GoneError}.
   */
  readonly resourceVersion?: string;
  /** Ask for BOOKMARK events carrying the latest resourceVersion. @defaultValue false */
  readonly allowBookmarks?: boolean;
  /** Server-side timeout, seconds; the stream then ends normally and the caller reconnects. */
  readonly timeoutSeconds?: number;
  /** Stops the watch; iteration then ends without an error. */
  readonly signal?: AbortSignal;
}

/** One watch event. `BOOKMARK` objects carry only `metadata.resourceVersion`. */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  readonly object: T;
}

/** What {@link KubeObjects.recordEvent} writes. */
export interface EventInput {
  /** The object the event is about; needs apiVersion, kind and metadata.name (uid when known). */
  readonly involvedObject: KubeObject;
  /** UpperCamelCase machine-readable cause, e.g. `MetricgateAborted`. */
  readonly reason: string;
  /** Human-readable; truncated to 1024 characters. */
  readonly message: string;
  readonly type: 'Normal' | 'Warning';
  /** What was done, e.g. `Abort`. */
  readonly action?: string;
}

/**
 * The Kubernetes port. Every method fails with a {@link KubeError} subclass; none returns or
 * throws a client library type.
 */
export interface KubeObjects {
  /** Reads one object; `undefined` when it does not exist (404). */
  get<T extends KubeObject = KubeObject>(resource: ResourceRef, name: string, options?: ObjectOptions): Promise<T | undefined>;
  /** Lists objects; without a namespace, across all namespaces. */
  list<T extends KubeObject = KubeObject>(resource: ResourceRef, options?: ListOptions): Promise<KubeList<T>>;
  /** Creates `object` (POST); {@link AlreadyExistsError} when the name is taken. */
  create<T extends KubeObject = KubeObject>(resource: ResourceRef, object: KubeObject, options?: Pick<ObjectOptions, 'namespace'>): Promise<T>;
  /**
   * Replaces the whole object (PUT). A `metadata.resourceVersion` in `object` is a precondition
   * ({@link ConflictError} when stale); CRDs require one.
   */
  replace<T extends KubeObject = KubeObject>(resource: ResourceRef, object: KubeObject, options?: ObjectOptions): Promise<T>;
  /** Patches one object with an explicit strategy; returns the object as stored afterwards. */
  patch<T extends KubeObject = KubeObject>(resource: ResourceRef, name: string, patch: KubePatch, options?: PatchOptions): Promise<T>;
  /** Deletes one object; false when it was already absent. */
  delete(resource: ResourceRef, name: string, options?: Pick<ObjectOptions, 'namespace'>): Promise<boolean>;
  /**
   * Streams changes. Iteration ends when the server closes the stream or `signal` aborts;
   * reconnecting (from the last seen resourceVersion) is the caller's job. An expired
   * resourceVersion fails the iteration with {@link GoneError}.
   */
  watch<T extends KubeObject = KubeObject>(resource: ResourceRef, options?: WatchOptions): AsyncIterable<WatchEvent<T>>;
  /** Records a `core/v1` Event on `involvedObject` (source component `metricgate`). */
  recordEvent(input: EventInput): Promise<KubeObject>;
}

/** Options of {@link createKubeObjects}. */
export interface KubeObjectsOptions {
  /** Timestamps of recorded Events. @defaultValue systemClock */
  readonly clock?: Clock;
  /** Sent as `fieldManager` on writes. @defaultValue 'metricgate' */
  readonly fieldManager?: string;
  /** Per-request timeout (not for watches), ms; an expired request is {@link UnreachableError}. @defaultValue 30000 */
  readonly requestTimeoutMs?: number;
}

/** Name of the component in Events and the default field manager. */
export const COMPONENT = 'metricgate';

/** Creates the client-node implementation of {@link KubeObjects} for a loaded kubeconfig. */
export function createKubeObjects(kubeConfig: KubeConfig, options: KubeObjectsOptions = {}): KubeObjects {
  return new ClientNodeKubeObjects(kubeConfig, options);
}

/** Passes the request on unchanged; the post half of every middleware here. */
const passResponse = (response: ResponseContext): Observable<ResponseContext> => new Observable(Promise.resolve(response));

/** CustomObjectsApi writes `/apis/<group>/…`; with group '' that is `/apis//v1/…`, the core group's `/api/v1/…`. */
const coreGroupPath: ObservableMiddleware = {
  pre(context: RequestContext) {
    const url = new URL(context.getUrl());
    const at = url.pathname.indexOf('/apis//');
    if (at >= 0) {
      url.pathname = `${url.pathname.slice(0, at)}/api/${url.pathname.slice(at + '/apis//'.length)}`;
      context.setUrl(url.toString());
    }
    return new Observable(Promise.resolve(context));
  },
  post: passResponse,
};

/** A request's verb and object, for error messages. */
interface CallSite {
  readonly verb: string;
  readonly resource: ResourceRef;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

class ClientNodeKubeObjects implements KubeObjects {
  private readonly api: CustomObjectsApi;
  private readonly clock: Clock;
  private readonly fieldManager: string;
  private readonly timeout: ObservableMiddleware;
  private eventSequence = 0;

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: KubeObjectsOptions,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
    this.clock = options.clock ?? systemClock;
    this.fieldManager = options.fieldManager ?? COMPONENT;
    const timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.timeout = {
      pre(context: RequestContext) {
        context.setSignal(AbortSignal.timeout(timeoutMs));
        return new Observable(Promise.resolve(context));
      },
      post: passResponse,
    };
  }

  async get<T extends KubeObject>(resource: ResourceRef, name: string, options: ObjectOptions = {}): Promise<T | undefined> {
    const site: CallSite = { verb: 'get', resource, namespace: options.namespace, name, subresource: options.subresource };
    const namespace = scopeOf(site);
    const status = options.subresource === 'status';
    const { group, version, plural } = resource;
    try {
      const body = await this.call(site, () => {
        if (namespace === undefined) {
          const param = { group, version, plural, name };
          return status ? this.api.getClusterCustomObjectStatus(param, this.options()) : this.api.getClusterCustomObject(param, this.options());
        }
        const param = { group, version, plural, name, namespace };
        return status ? this.api.getNamespacedCustomObjectStatus(param, this.options()) : this.api.getNamespacedCustomObject(param, this.options());
      });
      return asObject<T>(body, site);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject>(resource: ResourceRef, options: ListOptions = {}): Promise<KubeList<T>> {
    const site: CallSite = { verb: 'list', resource, namespace: options.namespace };
    const { group, version, plural } = resource;
    const query = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    // Without a namespace a namespaced resource lists across all namespaces, so only check misuse.
    if (options.namespace !== undefined) scopeOf(site);
    const body = await this.call(site, () => {
      if (options.namespace !== undefined) {
        return this.api.listNamespacedCustomObject({ group, version, plural, namespace: options.namespace, ...query }, this.options());
      }
      return resource.namespaced
        ? this.api.listCustomObjectForAllNamespaces({ group, version, plural, ...query }, this.options())
        : this.api.listClusterCustomObject({ group, version, plural, ...query }, this.options());
    });
    const list = asObject<KubeObject>(body, site);
    const items = Array.isArray(list['items']) ? list['items'].filter(isJsonObject) : [];
    return { items: items as T[], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async create<T extends KubeObject>(resource: ResourceRef, object: KubeObject, options: Pick<ObjectOptions, 'namespace'> = {}): Promise<T> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    const site: CallSite = { verb: 'create', resource, namespace, name: object.metadata?.name ?? object.metadata?.generateName };
    const scoped = scopeOf(site);
    const body = withEnvelope(resource, object);
    const { group, version, plural } = resource;
    const created = await this.call(site, () =>
      scoped === undefined
        ? this.api.createClusterCustomObject({ group, version, plural, body, fieldManager: this.fieldManager }, this.options())
        : this.api.createNamespacedCustomObject({ group, version, plural, namespace: scoped, body, fieldManager: this.fieldManager }, this.options()),
    );
    return asObject<T>(created, site);
  }

  async replace<T extends KubeObject>(resource: ResourceRef, object: KubeObject, options: ObjectOptions = {}): Promise<T> {
    const name = object.metadata?.name;
    const namespace = options.namespace ?? object.metadata?.namespace;
    const site: CallSite = { verb: 'update', resource, namespace, name, subresource: options.subresource };
    if (!name) throw new TypeError(`replace ${describeSite(site)}: metadata.name is required`);
    const scoped = scopeOf(site);
    const status = options.subresource === 'status';
    const body = withEnvelope(resource, object);
    const { group, version, plural } = resource;
    const replaced = await this.call(site, () => {
      const common = { group, version, plural, name, body, fieldManager: this.fieldManager };
      if (scoped === undefined) {
        return status ? this.api.replaceClusterCustomObjectStatus(common, this.options()) : this.api.replaceClusterCustomObject(common, this.options());
      }
      const param = { ...common, namespace: scoped };
      return status ? this.api.replaceNamespacedCustomObjectStatus(param, this.options()) : this.api.replaceNamespacedCustomObject(param, this.options());
    });
    return asObject<T>(replaced, site);
  }

  async patch<T extends KubeObject>(resource: ResourceRef, name: string, patch: KubePatch, options: PatchOptions = {}): Promise<T> {
    const site: CallSite = { verb: 'patch', resource, namespace: options.namespace, name, subresource: options.subresource };
    const scoped = scopeOf(site);
    const status = options.subresource === 'status';
    const body = withPrecondition(patch, options.resourceVersion);
    const headers = this.options(CONTENT_TYPE[patch.strategy]);
    const { group, version, plural } = resource;
    const patched = await this.call(site, () => {
      const common = { group, version, plural, name, body, fieldManager: this.fieldManager };
      if (scoped === undefined) {
        return status ? this.api.patchClusterCustomObjectStatus(common, headers) : this.api.patchClusterCustomObject(common, headers);
      }
      const param = { ...common, namespace: scoped };
      return status ? this.api.patchNamespacedCustomObjectStatus(param, headers) : this.api.patchNamespacedCustomObject(param, headers);
    });
    return asObject<T>(patched, site);
  }

  async delete(resource: ResourceRef, name: string, options: Pick<ObjectOptions, 'namespace'> = {}): Promise<boolean> {
    const site: CallSite = { verb: 'delete', resource, namespace: options.namespace, name };
    const scoped = scopeOf(site);
    const { group, version, plural } = resource;
    try {
      await this.call(site, () =>
        scoped === undefined
          ? this.api.deleteClusterCustomObject({ group, version, plural, name }, this.options())
          : this.api.deleteNamespacedCustomObject({ group, version, plural, name, namespace: scoped }, this.options()),
      );
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  watch<T extends KubeObject>(resource: ResourceRef, options: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    return { [Symbol.asyncIterator]: () => this.openWatch<T>(resource, options) };
  }

  async recordEvent(input: EventInput): Promise<KubeObject> {
    const involved = input.involvedObject;
    const meta = involved.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const now = this.clock.now();
    // client-go names events `<object>.<unix nanos in hex>`; the sequence keeps two events recorded
    // in the same millisecond apart.
    const nanos = BigInt(now) * 1_000_000n + BigInt(this.eventSequence++ % 1_000_000);
    const timestamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${meta.name ?? 'unknown'}.${nanos.toString(16)}`, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: meta.name,
        namespace: meta.namespace,
        ...(meta.uid !== undefined ? { uid: meta.uid } : {}),
        ...(meta.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}),
      },
      reason: input.reason,
      message: input.message.length > 1024 ? `${input.message.slice(0, 1023)}…` : input.message,
      type: input.type,
      ...(input.action !== undefined ? { action: input.action } : {}),
      source: { component: COMPONENT },
      reportingComponent: COMPONENT,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
    };
    return this.create(RESOURCES.events, event, { namespace });
  }

  /** Per-call client options: the core-path rewrite, the timeout and, for patches, the Content-Type. */
  private options(contentType?: string): ConfigurationOptions {
    const base: ConfigurationOptions = { middleware: [coreGroupPath, this.timeout], middlewareMergeStrategy: 'append' };
    return contentType === undefined ? base : setHeaderOptions('Content-Type', contentType, base);
  }

  private async call(site: CallSite, request: () => Promise<unknown>): Promise<unknown> {
    try {
      return await request();
    } catch (err) {
      throw toKubeError(err, site);
    }
  }

  private openWatch<T extends KubeObject>(resource: ResourceRef, options: WatchOptions): AsyncIterator<WatchEvent<T>> {
    const site: CallSite = { verb: 'watch', resource, namespace: options.namespace };
    if (options.namespace !== undefined) scopeOf(site);
    const queue: WatchEvent<T>[] = [];
    let ended = false;
    let failure: KubeError | undefined;
    let wake: (() => void) | undefined;
    let controller: AbortController | undefined;
    const finish = (error?: KubeError): void => {
      if (!ended) {
        failure = error;
        ended = true;
      }
      controller?.abort();
      wake?.();
    };
    const stop = (): void => finish();
    options.signal?.addEventListener('abort', stop, { once: true });
    const params: Record<string, string | number | boolean | undefined> = {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: options.allowBookmarks ? true : undefined,
      timeoutSeconds: options.timeoutSeconds,
    };
    const onEvent = (type: string, object: unknown): void => {
      if (ended) return;
      if (type === 'ERROR') {
        finish(statusError(object, 0, site));
        return;
      }
      if ((type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' || type === 'BOOKMARK') && isJsonObject(object)) {
        queue.push({ type, object: object as T });
        wake?.();
      }
    };
    const onDone = (err: unknown): void => {
      // An abort we asked for is a normal end, not a failure.
      finish(err === null || err === undefined || ended || options.signal?.aborted ? undefined : toKubeError(err, site));
    };
    if (options.signal?.aborted) finish();
    else {
      new Watch(this.kubeConfig)
        .watch(collectionPath(resource, options.namespace), params, onEvent, onDone)
        .then((c) => {
          controller = c;
          if (ended) c.abort();
        })
        .catch(onDone);
    }
    return {
      next: async (): Promise<IteratorResult<WatchEvent<T>>> => {
        while (queue.length === 0 && !ended) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        const event = queue.shift();
        if (event !== undefined) return { value: event, done: false };
        options.signal?.removeEventListener('abort', stop);
        if (failure !== undefined) throw failure;
        return { value: undefined, done: true };
      },
      return: async (): Promise<IteratorResult<WatchEvent<T>>> => {
        finish();
        queue.length = 0;
        options.signal?.removeEventListener('abort', stop);
        return { value: undefined, done: true };
      },
    };
  }
}

/** The namespace a call uses; throws on a programming error (namespace missing or misplaced). */
function scopeOf(site: CallSite): string | undefined {
  if (site.resource.namespaced && site.namespace === undefined) {
    throw new TypeError(`${site.verb} ${describeSite(site)}: a namespace is required for the namespaced resource ${site.resource.plural}`);
  }
  if (!site.resource.namespaced && site.namespace !== undefined) {
    throw new TypeError(`${site.verb} ${describeSite(site)}: ${site.resource.plural} is cluster-scoped; pass no namespace`);
  }
  return site.namespace;
}

/** URL path of a collection, as the API server routes it. */
export function collectionPath(resource: ResourceRef, namespace?: string): string {
  const root = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  return namespace === undefined ? `${root}/${resource.plural}` : `${root}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
}

/** `rollouts.argoproj.io prod/checkout (status)`. */
function describeSite(site: CallSite): string {
  const type = site.resource.group === '' ? site.resource.plural : `${site.resource.plural}.${site.resource.group}`;
  const where = site.name === undefined ? (site.namespace === undefined ? '(all)' : `${site.namespace}/*`) : site.namespace === undefined ? site.name : `${site.namespace}/${site.name}`;
  return `${type} ${where}${site.subresource ? ` (${site.subresource})` : ''}`;
}

function withEnvelope(resource: ResourceRef, object: KubeObject): KubeObject {
  return { ...object, apiVersion: object.apiVersion ?? apiVersionOf(resource), kind: object.kind ?? resource.kind };
}

function withPrecondition(patch: KubePatch, resourceVersion: string | undefined): unknown {
  if (resourceVersion === undefined) return patch.body;
  if (patch.strategy === 'json') return [...patch.body, { op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion }];
  const metadata = isJsonObject(patch.body['metadata']) ? patch.body['metadata'] : {};
  return { ...patch.body, metadata: { ...metadata, resourceVersion } };
}

function asObject<T extends KubeObject>(body: unknown, site: CallSite): T {
  if (!isJsonObject(body)) {
    throw new KubeError({ code: 'Protocol', status: 200, message: `${site.verb} ${describeSite(site)}: expected a JSON object from the API server, got ${typeof body}`, target: describeSite(site) });
  }
  return body as T;
}

const CODE_BY_STATUS: Readonly<Record<number, KubeErrorCode>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
};

/** Builds the typed error for an HTTP status and the server's Status body (when it sent one). */
function statusError(statusBody: unknown, httpStatus: number, site: CallSite, cause?: unknown): KubeError {
  const body = isJsonObject(statusBody) ? statusBody : {};
  const status = typeof body['code'] === 'number' && body['code'] > 0 ? body['code'] : httpStatus;
  const reason = typeof body['reason'] === 'string' && body['reason'] !== '' ? body['reason'] : undefined;
  const serverMessage = typeof body['message'] === 'string' && body['message'] !== '' ? body['message'] : `HTTP ${status}`;
  const target = describeSite(site);
  const message = `${site.verb} ${target}: ${status}${reason ? ` ${reason}` : ''}: ${serverMessage}`;
  const data = { message, target, ...(reason !== undefined ? { reason } : {}) };
  const options = cause === undefined ? undefined : { cause };
  if (status === 404) return new NotFoundError(data, options);
  if (status === 409) return reason === 'AlreadyExists' ? new AlreadyExistsError(data, options) : new ConflictError(data, options);
  if (status === 410) return new GoneError(data, options);
  const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'Server' : status >= 400 ? 'BadRequest' : 'Protocol');
  return new KubeError({ ...data, code, status }, options);
}

/** Network failures node-fetch reports as `FetchError` (type `system`) or `AbortError` (timeout). */
function isNetworkFailure(err: Error & { type?: unknown; code?: unknown }): boolean {
  return err.name === 'FetchError' || err.name === 'AbortError' || err.type === 'system' || (typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code));
}

/** Maps anything client-node throws to a {@link KubeError}. */
function toKubeError(err: unknown, site: CallSite): KubeError {
  if (err instanceof KubeError) return err;
  if (err instanceof ApiException) {
    const raw: unknown = err.body;
    let body: unknown = raw;
    if (typeof raw === 'string') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = { message: raw.slice(0, 500) };
      }
    }
    return statusError(body, err.code, site, err);
  }
  if (err instanceof Error) {
    const withStatus = err as Error & { statusCode?: unknown };
    if (typeof withStatus.statusCode === 'number') return statusError({ message: err.message }, withStatus.statusCode, site, err);
    if (isNetworkFailure(err)) {
      const what = err.name === 'AbortError' ? 'no answer from the API server before the request timeout' : `API server unreachable: ${err.message}`;
      return new UnreachableError({ message: `${site.verb} ${describeSite(site)}: ${what}`, target: describeSite(site) }, { cause: err });
    }
    return new KubeError({ code: 'Protocol', status: 0, message: `${site.verb} ${describeSite(site)}: ${err.message}`, target: describeSite(site) }, { cause: err });
  }
  return new KubeError({ code: 'Protocol', status: 0, message: `${site.verb} ${describeSite(site)}: ${String(err)}`, target: describeSite(site) });
}
