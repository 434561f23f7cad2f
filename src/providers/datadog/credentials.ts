/**
 * @module providers/datadog/credentials
 * Where the Datadog keys come from, in Argo's order (metricproviders/datadog/finders.go):
 *
 * 1. `secretRef.name` set → only that Secret (in metricgate's namespace, or the run's namespace
 *    with `namespaced: true`), keys `api-key`, `app-key`, optional `address`. Argo's docs say it
 *    falls back to the environment; its code does not, and neither does this.
 * 2. Environment: `DD_API_KEY` and `DD_APP_KEY`, with `DD_ADDRESS` as the API base URL.
 * 3. The Secret `datadog` in metricgate's namespace.
 *
 * Difference from Argo: Argo uses the environment only when all three variables exist (an empty
 * `DD_ADDRESS` is accepted and means the default). Here `DD_ADDRESS` may simply be left unset —
 * requiring a variable whose empty value already means "default" only adds a trap for CLI users.
 *
 * Key values never appear in messages: errors name the variable, Secret and key to set.
 */
import { ProviderError, type ProviderDeps } from '../provider.js';
import type { DatadogConfig } from './config.js';

/** Datadog's US1 API, used when no address is configured (Argo's default). */
export const DEFAULT_DATADOG_ADDRESS = 'https://api.datadoghq.com';
/** Secret Argo (and metricgate) read when neither `secretRef` nor the environment has keys. */
export const DEFAULT_SECRET_NAME = 'datadog';

/** Keys and address for one request; `source` says where they came from, for messages. */
export interface DatadogCredentials {
  /** API base URL without a trailing slash, e.g. `https://api.datadoghq.eu`. */
  readonly address: string;
  readonly apiKey: string;
  readonly appKey: string;
  /** Where the keys came from (`environment (DD_API_KEY, DD_APP_KEY)`, `Secret shop/dd`); never the values. */
  readonly source: string;
}

const HELP =
  'set DD_API_KEY and DD_APP_KEY (and DD_ADDRESS for a site other than https://api.datadoghq.com), ' +
  `set provider.datadog.secretRef, or create the Secret "${DEFAULT_SECRET_NAME}" with keys api-key, app-key and optionally address`;

/** Trimmed, or undefined when empty: a Secret written with `echo` often ends with a newline. */
function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function normalizeAddress(address: string, source: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new ProviderError('PROVIDER_CONFIG', `datadog address from ${source} is not a URL: ${JSON.stringify(address)} (expected e.g. https://api.datadoghq.eu)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProviderError('PROVIDER_CONFIG', `datadog address from ${source} must be http(s), got ${JSON.stringify(address)}`);
  }
  return address.replace(/\/+$/, '');
}

async function fromSecret(
  deps: ProviderDeps,
  name: string,
  namespace: string | undefined,
): Promise<{ apiKey?: string; appKey?: string; address?: string; source: string }> {
  const where = namespace === undefined ? `Secret "${name}"` : `Secret "${namespace}/${name}"`;
  if (!deps.readSecret) {
    throw new ProviderError(
      'PROVIDER_CONFIG',
      `datadog credentials are to be read from ${where}, but this process cannot read Kubernetes Secrets; ` +
        'outside Kubernetes remove provider.datadog.secretRef and set DD_API_KEY and DD_APP_KEY',
    );
  }
  const read = deps.readSecret;
  const key = async (k: string): Promise<string | undefined> => clean(await read({ ...(namespace !== undefined ? { namespace } : {}), name, key: k }));
  const [apiKey, appKey, address] = await Promise.all([key('api-key'), key('app-key'), key('address')]);
  return { apiKey, appKey, address, source: where };
}

/**
 * Finds the credentials for one measurement. Read every time, like Argo, so a rotated Secret is
 * picked up without a restart.
 * @param namespace - the run's namespace, used by `secretRef.namespaced: true`
 * @throws ProviderError `PROVIDER_CONFIG` naming what to set when nothing usable is found
 */
export async function findCredentials(config: Pick<DatadogConfig, 'secretRef'>, deps: ProviderDeps, namespace?: string): Promise<DatadogCredentials> {
  const ref = config.secretRef;
  const refName = clean(ref?.name);
  if (refName !== undefined) {
    if (ref?.namespaced === true && namespace === undefined) {
      throw new ProviderError('PROVIDER_CONFIG', `datadog secretRef "${refName}" is namespaced, but the run has no namespace to read it from`);
    }
    const found = await readOrFail(deps, refName, ref?.namespaced === true ? namespace : undefined);
    if (!found.apiKey || !found.appKey) {
      throw new ProviderError('PROVIDER_CONFIG', `datadog credentials missing in ${found.source}: keys api-key and app-key are required (address is optional)`);
    }
    return complete(found.apiKey, found.appKey, found.address, found.source);
  }

  const apiKey = clean(deps.env['DD_API_KEY']);
  const appKey = clean(deps.env['DD_APP_KEY']);
  if (apiKey && appKey) return complete(apiKey, appKey, clean(deps.env['DD_ADDRESS']), 'environment (DD_API_KEY, DD_APP_KEY)');

  const partial = apiKey || appKey ? ` (only ${apiKey ? 'DD_API_KEY' : 'DD_APP_KEY'} is set)` : '';
  if (!deps.readSecret) throw new ProviderError('PROVIDER_CONFIG', `datadog credentials not found${partial}: ${HELP}`);
  let found: Awaited<ReturnType<typeof fromSecret>>;
  try {
    found = await fromSecret(deps, DEFAULT_SECRET_NAME, undefined);
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    throw new ProviderError('PROVIDER_CONFIG', `datadog credentials not found${partial}: reading Secret "${DEFAULT_SECRET_NAME}" failed (${(err as Error).message}); ${HELP}`, { cause: err });
  }
  if (!found.apiKey || !found.appKey) throw new ProviderError('PROVIDER_CONFIG', `datadog credentials not found${partial}: ${HELP}`);
  return complete(found.apiKey, found.appKey, found.address, found.source);
}

async function readOrFail(deps: ProviderDeps, name: string, namespace: string | undefined): Promise<Awaited<ReturnType<typeof fromSecret>>> {
  try {
    return await fromSecret(deps, name, namespace);
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    const where = namespace === undefined ? `Secret "${name}"` : `Secret "${namespace}/${name}"`;
    throw new ProviderError('PROVIDER_CONFIG', `datadog credentials: reading ${where} failed: ${(err as Error).message}`, { cause: err });
  }
}

function complete(apiKey: string, appKey: string, address: string | undefined, source: string): DatadogCredentials {
  return { apiKey, appKey, address: normalizeAddress(address ?? DEFAULT_DATADOG_ADDRESS, source), source };
}
