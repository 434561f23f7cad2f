/**
 * @module cli/service
 * The long-running service: configuration (flags over environment, validated at start) and the
 * composition of store, queue, worker and API into one process. `serve` runs both roles, `worker`
 * and `api` one each; any number of each can share one Redis.
 */
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeObjects } from '../actuators/index.js';
import { systemClock } from '../engine/index.js';
import { quote, type ArgSources, type Issue } from '../model/index.js';
import { createProviders } from '../providers/index.js';
import {
  BullScheduler,
  RUN_QUEUE,
  RedisRunStore,
  RedisTemplateStore,
  RunService,
  Sweeper,
  connectRedis,
  parseRedisUrl,
  startWorker,
  type RedisClient,
} from '../queue/index.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { secretEnvName } from './inputs.js';

/** Environment variable for each setting (flags win over these). */
export const ENV = {
  redisUrl: 'METRICGATE_REDIS_URL',
  listen: 'METRICGATE_LISTEN',
  apiTokens: 'METRICGATE_API_TOKENS',
  insecureDev: 'METRICGATE_INSECURE_DEV',
  concurrency: 'METRICGATE_CONCURRENCY',
  prefix: 'METRICGATE_QUEUE_PREFIX',
  logLevel: 'METRICGATE_LOG_LEVEL',
  bodyLimit: 'METRICGATE_BODY_LIMIT',
  writeRateLimit: 'METRICGATE_WRITE_RATE_LIMIT',
  runTtl: 'METRICGATE_RUN_TTL',
  lockDuration: 'METRICGATE_LOCK_DURATION_MS',
  namespaces: 'METRICGATE_NAMESPACES',
  leaseNamespace: 'METRICGATE_LEASE_NAMESPACE',
} as const;

const listen = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: 'expected HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080' });

export const serviceConfigSchema = z.strictObject({
  /** Redis URL (redis://, rediss://, redis+sentinel://…/master, redis+cluster://). @defaultValue redis://127.0.0.1:6379 */
  redisUrl: z.string().refine((u) => {
    try {
      parseRedisUrl(u);
      return true;
    } catch {
      return false;
    }
  }, { error: 'expected redis://host:port[/db], rediss://…, redis+sentinel://host:port,…/master or redis+cluster://host:port,…' }),
  /** Where the API listens. @defaultValue 127.0.0.1:8080 */
  listen,
  /** Accepted bearer tokens (comma-separated in the environment). */
  apiTokens: z.array(z.string().min(16, { error: 'each token must be at least 16 characters' })),
  /** Run the API without auth (local development only). @defaultValue false */
  insecureDev: z.boolean(),
  /** Jobs a worker process runs at once. @defaultValue 50 */
  concurrency: z.number().int().min(1).max(5000),
  /** Redis key prefix; keep the braces (a Redis Cluster hash tag). @defaultValue {metricgate} */
  prefix: z.string().min(1).regex(/^[^:\s]+$/, { error: 'must not contain ":" or spaces' }),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  /** Largest API request body, bytes. @defaultValue 1048576 */
  bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024),
  /** Write requests per client per minute. @defaultValue 300 */
  writeRateLimit: z.number().int().min(1),
  /** Seconds finished runs are kept (when the run has no ttlStrategy). @defaultValue 604800 */
  runTtlSeconds: z.number().int().min(60),
  /**
   * A crashed worker's jobs go to another worker once its job locks are not renewed for this
   * long, ms. Lower recovers faster; too low hands slow jobs over needlessly. @defaultValue 10000
   */
  lockDurationMs: z.number().int().min(1000).max(600_000),
  /** Explicit kubeconfig (`--kubeconfig`); otherwise in-cluster, KUBECONFIG, ~/.kube/config, or none. */
  kubeconfig: z.string().optional(),
  kubeContext: z.string().optional(),
  /** Namespaces the rollout watcher watches; empty = all. */
  namespaces: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'expected Kubernetes namespace names' })),
  /** Namespace of the leader-election Lease. @defaultValue the pod's namespace (POD_NAMESPACE), else 'default' */
  leaseNamespace: z.string().min(1),
});

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;

/** Flags as commander hands them over (all optional strings/booleans). */
export interface ServiceFlags {
  readonly redisUrl?: string;
  readonly listen?: string;
  readonly apiTokens?: string;
  readonly insecureDev?: boolean;
  readonly concurrency?: string;
  readonly prefix?: string;
  readonly logLevel?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespaces?: string;
}

/** Merges flags over environment over defaults, and validates; issues name the flag/env var and the value. */
export function resolveConfig(flags: ServiceFlags, env: Readonly<Record<string, string | undefined>>): { config?: ServiceConfig; issues: Issue[] } {
  const num = (v: string | undefined): number | string | undefined => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v);
  const raw = {
    redisUrl: flags.redisUrl ?? env[ENV.redisUrl] ?? 'redis://127.0.0.1:6379',
    listen: flags.listen ?? env[ENV.listen] ?? '127.0.0.1:8080',
    apiTokens: (flags.apiTokens ?? env[ENV.apiTokens] ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    insecureDev: flags.insecureDev ?? ['1', 'true', 'yes'].includes((env[ENV.insecureDev] ?? '').toLowerCase()),
    concurrency: num(flags.concurrency ?? env[ENV.concurrency]) ?? 50,
    prefix: flags.prefix ?? env[ENV.prefix] ?? '{metricgate}',
    logLevel: flags.logLevel ?? env[ENV.logLevel] ?? 'info',
    bodyLimitBytes: num(env[ENV.bodyLimit]) ?? 1024 * 1024,
    writeRateLimit: num(env[ENV.writeRateLimit]) ?? 300,
    runTtlSeconds: num(env[ENV.runTtl]) ?? 7 * 24 * 3600,
    lockDurationMs: num(env[ENV.lockDuration]) ?? 10_000,
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { kubeContext: flags.context } : {}),
    namespaces: (flags.namespaces ?? env[ENV.namespaces] ?? '').split(',').map((n) => n.trim()).filter(Boolean),
    leaseNamespace: env[ENV.leaseNamespace] ?? env['POD_NAMESPACE'] ?? 'default',
  };
  const parsed = serviceConfigSchema.safeParse(raw);
  if (parsed.success) return { config: parsed.data, issues: [] };
  const flagOf: Record<string, string> = {
    redisUrl: '--redis-url',
    listen: '--listen',
    apiTokens: '--api-tokens',
    concurrency: '--concurrency',
    prefix: '--queue-prefix',
    logLevel: '--log-level',
    namespaces: '--namespaces',
  };
  const issues = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    const envName = ENV[key as keyof typeof ENV];
    const shown = key === 'apiTokens' ? '(hidden)' : quote((raw as Record<string, unknown>)[key]);
    return { code: 'INVALID_VALUE' as const, path: [flagOf[key], envName].filter(Boolean).join(' / ') || key, message: `${i.message}, got ${shown}` };
  });
  return { issues };
}

/** Secret args for service runs: `METRICGATE_SECRET_<NAME>_<KEY>` environment variables. */
export function envSecretSource(env: Readonly<Record<string, string | undefined>>): ArgSources {
  return {
    secret: async (ref) => {
      const value = env[secretEnvName(ref.name, ref.key)];
      if (value === undefined) throw new Error(`secret ${ref.name}/${ref.key} is not available to the service: set ${secretEnvName(ref.name, ref.key)}`);
      return value;
    },
  };
}

export interface RunningService {
  readonly logger: Logger;
  readonly app?: FastifyInstance;
  /** Address the API listens on, when it runs. */
  readonly url?: string;
  /** Stops accepting work, lets in-flight jobs finish, closes connections. */
  stop(): Promise<void>;
}

/** Which parts run in this process. `controller: 'required'` fails without Kubernetes access. */
export interface Roles {
  readonly api: boolean;
  readonly worker: boolean;
  readonly controller: boolean | 'required';
}

/**
 * Whether any Kubernetes credentials could be found, checked without loading the client (it is
 * large, and most workers outside a cluster never need it). Same order as loadKubeConfig.
 */
function kubeConfigPresent(config: ServiceConfig, env: Readonly<Record<string, string | undefined>>): boolean {
  if (config.kubeconfig) return true;
  if (env['KUBERNETES_SERVICE_HOST'] && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) return true;
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter(Boolean);
  if (listed.length > 0) return listed.some((f) => existsSync(f));
  return existsSync(join(env['HOME'] ?? homedir(), '.kube', 'config'));
}

/** What the service uses from the cluster, loaded only when there is one. */
interface KubeParts {
  readonly kube: KubeObjects;
  readonly secrets: Required<Pick<ArgSources, 'secret'>>;
}

/**
 * Kubernetes access, when there is any: an explicit --kubeconfig that fails is an error; finding
 * no cluster at all just turns the rollout watcher and actuation off.
 */
async function connectKube(
  config: ServiceConfig,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  required: boolean,
  given?: KubeObjects,
): Promise<KubeParts | undefined> {
  if (!given && !required && !kubeConfigPresent(config, env)) {
    logger.info('no Kubernetes access (no kubeconfig, not in a cluster): the rollout watcher and verdict actuation are off');
    return undefined;
  }
  const actuators = await import('../actuators/index.js');
  try {
    const kube = given ?? actuators.createKubeObjects(actuators.loadKubeConfig({ kubeconfig: config.kubeconfig, context: config.kubeContext, env }));
    return { kube, secrets: actuators.kubeSecretSource(kube) };
  } catch (err) {
    if (err instanceof actuators.KubeConfigError && !err.explicit && !required) {
      logger.info({ reason: err.message }, 'no Kubernetes access: the rollout watcher and verdict actuation are off');
      return undefined;
    }
    throw err;
  }
}

function readSecretVia(parts: KubeParts): (ref: { namespace?: string; name: string; key: string }) => Promise<string | undefined> {
  return async (ref) => parts.secrets.secret({ name: ref.name, key: ref.key }, ref.namespace).catch(() => undefined);
}

/** Secret args: `METRICGATE_SECRET_<NAME>_<KEY>` first (an operator override), then the run namespace's Secret. */
function secretSources(env: Readonly<Record<string, string | undefined>>, parts: KubeParts | undefined): ArgSources {
  const fromEnv = envSecretSource(env);
  if (!parts) return fromEnv;
  return {
    secret: async (ref, namespace) => {
      const value = env[secretEnvName(ref.name, ref.key)];
      return value !== undefined ? value : parts.secrets.secret(ref, namespace);
    },
  };
}

/** Starts the roles asked for. */
export async function startService(
  config: ServiceConfig,
  roles: Roles,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger = createLogger({ level: config.logLevel }),
  overrides: { kube?: KubeObjects } = {},
): Promise<RunningService> {
  const kubeParts = await connectKube(config, env, logger, roles.controller === 'required', overrides.kube);
  const kube = kubeParts?.kube;
  const redis: RedisClient = connectRedis(config.redisUrl);
  const blocking: RedisClient = connectRedis(config.redisUrl, { forWorker: true });
  for (const client of [redis, blocking]) client.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  const metrics = createMetrics();
  const queue = new Queue(RUN_QUEUE, { connection: blocking, prefix: config.prefix });
  queue.on('error', (err) => logger.warn({ err: err.message }, 'queue error'));
  const store = new RedisRunStore(redis, { prefix: config.prefix, finishedRunTtlSeconds: config.runTtlSeconds });
  const templates = new RedisTemplateStore(redis, { prefix: config.prefix });
  const sources = secretSources(env, kubeParts);
  const service = new RunService({ store, templates, scheduler: new BullScheduler(queue), clock: systemClock, sources, logger, metrics });
  const actuator = kube ? new (await import('../queue/actuation.js')).Actuator({ store, kube, logger, metrics }) : undefined;
  const sweeper = roles.worker ? new Sweeper({ store, queue, service, clock: systemClock, sources, logger }) : undefined;
  sweeper?.start();
  const worker = roles.worker
    ? startWorker(
        blocking,
        {
          store,
          service,
          providers: createProviders({ env, ...(kubeParts ? { readSecret: readSecretVia(kubeParts) } : {}) }),
          clock: systemClock,
          sources,
          logger,
          metrics,
          ...(actuator ? { actuate: async (uid: string) => void (await actuator.apply(uid)) } : {}),
        },
        { concurrency: config.concurrency, prefix: config.prefix, lockDurationMs: config.lockDurationMs },
      )
    : undefined;
  const stopController =
    roles.controller && kube
      ? await (await import('../triggers/index.js')).startController({
          kube,
          service,
          store,
          templates,
          logger,
          namespaces: config.namespaces,
          leader: { namespace: config.leaseNamespace, identity: env['POD_NAME'] ?? `${hostname()}-${process.pid}` },
        })
      : undefined;
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  if (roles.api) {
    if (config.insecureDev) logger.warn('API authentication is DISABLED (--insecure-dev): never run like this outside a laptop');
    const { buildApp } = await import('../api/app.js');
    app = await buildApp(
      {
        runs: service,
        store,
        templates,
        logger,
        metrics,
        readiness: {
          redis: async () => (await redis.ping()) === 'PONG',
          ...(worker ? { worker: async () => worker.isRunning() } : {}),
        },
        queueCounts: () => queue.getJobCounts('waiting', 'delayed', 'active', 'failed'),
      },
      { tokens: config.apiTokens, insecureDev: config.insecureDev, bodyLimitBytes: config.bodyLimitBytes, writeRateLimitPerMinute: config.writeRateLimit },
    );
    const i = config.listen.lastIndexOf(':');
    const host = config.listen.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(config.listen.slice(i + 1));
    url = await app.listen({ host, port });
    logger.info({ url }, 'api listening');
  }
  if (worker) logger.info({ concurrency: config.concurrency, prefix: config.prefix }, 'worker started');
  return {
    logger,
    app,
    url,
    stop: async () => {
      logger.info('draining: no new requests or jobs; waiting for in-flight jobs');
      await app?.close();
      await stopController?.();
      await sweeper?.stop();
      await worker?.close();
      await queue.close();
      await Promise.all([redis.quit().catch(() => undefined), blocking.quit().catch(() => undefined)]);
      logger.info('stopped');
    },
  };
}
