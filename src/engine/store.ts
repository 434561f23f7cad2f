/**
 * @module engine/store
 * Where runs and templates live. The port is small so that crash-safety is a property of the
 * store, not of luck: every change is a compare-and-set on a version, so two workers can never
 * both record the same measurement or both finish a run. The in-memory implementation serves
 * the one-shot CLI and tests; the Redis one (src/queue) serves the service. Both pass the same
 * contract suite (test/contract/run-store.case.ts).
 */
import type { AnalysisPhase, AnalysisRun, AnalysisTemplate, TemplateKind } from '../model/index.js';

/** A run and the version its next write must name. */
export interface StoredRun {
  readonly run: AnalysisRun;
  /** Starts at 1; every successful update increments it. */
  readonly version: number;
}

export interface RunFilter {
  readonly phase?: AnalysisPhase;
  /** Every label must match exactly. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Matches the `metricgate.io/target` annotation (e.g. `argo:shop/checkout`). */
  readonly target?: string;
  /** Page size. @defaultValue 50 */
  readonly limit?: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

export interface RunPage {
  readonly items: readonly AnalysisRun[];
  /** Present when more runs match. */
  readonly nextCursor?: string;
}

export interface RunStore {
  /** Stores a new run keyed by `metadata.uid`; an existing uid is returned untouched (idempotent create). */
  create(run: AnalysisRun): Promise<{ created: boolean; stored: StoredRun }>;
  get(uid: string): Promise<StoredRun | undefined>;
  /** Compare-and-set: writes only if the stored version is `expectedVersion`; undefined on conflict or absence. */
  update(uid: string, expectedVersion: number, run: AnalysisRun): Promise<StoredRun | undefined>;
  /** Newest first. */
  list(filter?: RunFilter): Promise<RunPage>;
  /** Number of stored runs per phase. */
  countByPhase(): Promise<Partial<Record<AnalysisPhase, number>>>;
}

/** Annotation naming what a run acts on, for filtering (`argo:<namespace>/<rollout>`). */
export const TARGET_ANNOTATION = 'metricgate.io/target';

/**
 * Reads, applies `change`, and writes with compare-and-set, retrying on conflict. `change`
 * returns undefined to write nothing. Resolves to the stored run after the change (or as it
 * was, when nothing was written), or undefined when the run does not exist.
 */
export async function mutateRun(
  store: RunStore,
  uid: string,
  change: (current: StoredRun) => AnalysisRun | undefined,
  attempts = 50,
): Promise<{ stored: StoredRun; changed: boolean } | undefined> {
  for (let i = 0; i < attempts; i++) {
    const current = await store.get(uid);
    if (!current) return undefined;
    const next = change(current);
    if (next === undefined) return { stored: current, changed: false };
    const written = await store.update(uid, current.version, next);
    if (written) return { stored: written, changed: true };
  }
  throw new Error(`run ${uid}: gave up after ${attempts} conflicting concurrent writes`);
}

function matches(run: AnalysisRun, filter: RunFilter): boolean {
  if (filter.phase && (run.status?.phase ?? 'Pending') !== filter.phase) return false;
  for (const [k, v] of Object.entries(filter.labels ?? {})) if (run.metadata.labels?.[k] !== v) return false;
  if (filter.target && run.metadata.annotations?.[TARGET_ANNOTATION] !== filter.target) return false;
  return true;
}

/** Creation order key: creationTimestamp then uid, so pages are stable. */
function orderKey(run: AnalysisRun): string {
  return `${run.metadata.creationTimestamp ?? ''}|${run.metadata.uid ?? ''}`;
}

/** In-process store (the one-shot CLI and tests). Values are copied in and out, as a remote store would. */
export class InMemoryRunStore implements RunStore {
  private readonly runs = new Map<string, StoredRun>();

  async create(run: AnalysisRun): Promise<{ created: boolean; stored: StoredRun }> {
    const uid = requireUid(run);
    const existing = this.runs.get(uid);
    if (existing) return { created: false, stored: clone(existing) };
    const stored = { run: clone(run), version: 1 };
    this.runs.set(uid, stored);
    return { created: true, stored: clone(stored) };
  }

  async get(uid: string): Promise<StoredRun | undefined> {
    const s = this.runs.get(uid);
    return s ? clone(s) : undefined;
  }

  async update(uid: string, expectedVersion: number, run: AnalysisRun): Promise<StoredRun | undefined> {
    const s = this.runs.get(uid);
    if (!s || s.version !== expectedVersion) return undefined;
    const next = { run: clone(run), version: s.version + 1 };
    this.runs.set(uid, next);
    return clone(next);
  }

  async list(filter: RunFilter = {}): Promise<RunPage> {
    const limit = filter.limit ?? 50;
    const all = [...this.runs.values()]
      .map((s) => s.run)
      .filter((r) => matches(r, filter))
      .sort((a, b) => orderKey(b).localeCompare(orderKey(a)))
      .filter((r) => filter.cursor === undefined || orderKey(r) < filter.cursor);
    const items = all.slice(0, limit).map(clone);
    const last = items[items.length - 1];
    return { items, ...(all.length > limit && last ? { nextCursor: orderKey(last) } : {}) };
  }

  async countByPhase(): Promise<Partial<Record<AnalysisPhase, number>>> {
    const counts: Partial<Record<AnalysisPhase, number>> = {};
    for (const { run } of this.runs.values()) {
      const phase = run.status?.phase ?? 'Pending';
      counts[phase] = (counts[phase] ?? 0) + 1;
    }
    return counts;
  }
}

/** Stored AnalysisTemplates and ClusterAnalysisTemplates, by kind and name. */
export interface TemplateStore {
  /** Inserts or replaces; resolves true when it replaced an existing template. */
  put(template: AnalysisTemplate): Promise<boolean>;
  get(kind: TemplateKind, name: string): Promise<AnalysisTemplate | undefined>;
  list(): Promise<AnalysisTemplate[]>;
  /** Resolves false when there was nothing to delete. */
  delete(kind: TemplateKind, name: string): Promise<boolean>;
}

export class InMemoryTemplateStore implements TemplateStore {
  private readonly templates = new Map<string, AnalysisTemplate>();

  async put(template: AnalysisTemplate): Promise<boolean> {
    const key = `${template.kind}/${template.metadata.name ?? ''}`;
    const existed = this.templates.has(key);
    this.templates.set(key, clone(template));
    return existed;
  }

  async get(kind: TemplateKind, name: string): Promise<AnalysisTemplate | undefined> {
    const t = this.templates.get(`${kind}/${name}`);
    return t ? clone(t) : undefined;
  }

  async list(): Promise<AnalysisTemplate[]> {
    return [...this.templates.values()].map(clone).sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
  }

  async delete(kind: TemplateKind, name: string): Promise<boolean> {
    return this.templates.delete(`${kind}/${name}`);
  }
}

function requireUid(run: AnalysisRun): string {
  const uid = run.metadata.uid;
  if (!uid) throw new Error(`run ${run.metadata.name ?? '?'} has no metadata.uid`);
  return uid;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
