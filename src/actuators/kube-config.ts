/**
 * @module actuators/kube-config
 * Finding cluster credentials the way kubectl does, so `metricgate promote` works wherever
 * `kubectl argo rollouts promote` works, and a worker in a pod uses its service account. Every
 * failure names the source it tried and says whether the user named it (a usage error) or
 * nothing was found (a missing dependency).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from './kube-errors.js';

/** Options of {@link loadKubeConfig}. */
export interface LoadKubeConfigOptions {
  /** A kubeconfig file named by the user (`--kubeconfig`); beats every other source. */
  readonly kubeconfig?: string;
  /** Context to use instead of the file's `current-context` (`--context`). */
  readonly context?: string;
  /** Environment read for `KUBECONFIG`, `HOME` and the in-pod variables. @defaultValue process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Prefix of the pod filesystem where `/var/run/secrets/kubernetes.io/serviceaccount` is looked
   * up (tests point it at a temp dir). @defaultValue '' (the real root)
   */
  readonly rootDir?: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads a kubeconfig the way kubectl finds one, in this order: the file given explicitly
 * (`--kubeconfig`), the pod's service account when running in a pod, the files listed in
 * `KUBECONFIG` (merged, first wins), then `~/.kube/config`. Unlike kubectl, an in-pod service
 * account is preferred over `KUBECONFIG` so a worker never acts with a developer's credentials
 * baked into an image; an explicit file always wins because the user asked for it.
 * Throws {@link KubeConfigError} naming the source that failed.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  let source: string;
  let explicit = true;
  const rootDir = options.rootDir ?? '';
  const kubeconfigEnv = (env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f !== '');
  if (options.kubeconfig !== undefined && options.kubeconfig !== '') {
    source = options.kubeconfig;
    loadFiles(kc, [options.kubeconfig], '--kubeconfig');
  } else if (env['KUBERNETES_SERVICE_HOST'] && env['KUBERNETES_SERVICE_PORT'] && existsSync(`${rootDir}${SERVICE_ACCOUNT_DIR}/token`)) {
    source = 'the in-cluster service account';
    explicit = false;
    // client-node reads the service host and port from process.env itself.
    kc.loadFromCluster(rootDir);
  } else if (kubeconfigEnv.length > 0) {
    source = `KUBECONFIG (${kubeconfigEnv.join(delimiter)})`;
    // As in kubectl, listed files that do not exist are skipped.
    const existing = kubeconfigEnv.filter((file) => existsSync(file));
    if (existing.length === 0) throw new KubeConfigError(`no kubeconfig found: none of the files in KUBECONFIG exist (${kubeconfigEnv.join(delimiter)})`, false);
    loadFiles(kc, existing, 'KUBECONFIG');
  } else {
    const file = join(env['HOME'] ?? homedir(), '.kube', 'config');
    if (!existsSync(file)) {
      throw new KubeConfigError(`no kubeconfig found: not running in a pod, no --kubeconfig given, KUBECONFIG unset and ${file} does not exist`, false);
    }
    source = file;
    explicit = false;
    loadFiles(kc, [file], file);
  }
  if (options.context !== undefined && options.context !== '') {
    if (kc.getContextObject(options.context) === null) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeConfigError(`--context ${JSON.stringify(options.context)} is not in ${source}${known.length ? `; contexts: ${known.join(', ')}` : ''}`, true);
    }
    kc.setCurrentContext(options.context);
  }
  if (kc.getCurrentCluster() === null) {
    throw new KubeConfigError(`${source} has no usable current context (current-context ${JSON.stringify(kc.getCurrentContext() ?? '')} names no cluster)`, explicit);
  }
  return kc;
}

/** Loads `files` into `kc`; as kubectl merges KUBECONFIG, the first file to define a name (or current-context) wins. */
function loadFiles(kc: KubeConfig, files: readonly string[], origin: string): void {
  files.forEach((file, index) => {
    try {
      if (index === 0) {
        kc.loadFromFile(file);
        return;
      }
      // client-node's mergeConfig throws on duplicate names; kubectl keeps the first one.
      const more = new KubeConfig();
      more.loadFromFile(file);
      for (const cluster of more.getClusters()) if (kc.getCluster(cluster.name) === null) kc.addCluster(cluster);
      for (const user of more.getUsers()) if (kc.getUser(user.name) === null) kc.addUser(user);
      for (const context of more.getContexts()) if (kc.getContextObject(context.name) === null) kc.addContext(context);
      if (!kc.getCurrentContext() && more.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext());
    } catch (err) {
      throw new KubeConfigError(`cannot load kubeconfig ${file} (from ${origin}): ${(err as Error).message}`, true, { cause: err });
    }
  });
}

/** The namespace of the kubeconfig's current context, as kubectl would default it. */
export function contextNamespace(kubeConfig: KubeConfig): string | undefined {
  const namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace?.trim();
  return namespace ? namespace : undefined;
}

/** Options of {@link fromOptions}. */
export interface ServerOptions {
  /** API server URL, e.g. `http://127.0.0.1:40123`. */
  readonly server: string;
  /** Bearer token sent on every request. */
  readonly token?: string;
  /** Default namespace of the context. */
  readonly namespace?: string;
}

/**
 * A kubeconfig for one server, for tests and tools. Plain `http://` servers need TLS
 * verification off in client-node (it refuses HTTP otherwise), so that is set for them.
 */
export function fromOptions(options: ServerOptions): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'cluster', server: options.server, skipTLSVerify: options.server.startsWith('http:') }],
    users: [{ name: 'user', ...(options.token !== undefined ? { token: options.token } : {}) }],
    contexts: [{ name: 'context', cluster: 'cluster', user: 'user', ...(options.namespace !== undefined ? { namespace: options.namespace } : {}) }],
    currentContext: 'context',
  });
  return kc;
}
