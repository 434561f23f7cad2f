/**
 * Where the kubeconfig comes from: an explicit file, the pod's service account, KUBECONFIG
 * (merged), ~/.kube/config — and errors that say which source failed and whether the user
 * named it (a usage error) or nothing was found (a missing dependency).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { contextNamespace, fromOptions, loadKubeConfig } from '../../../src/actuators/kube-config.js';
import { KubeConfigError } from '../../../src/actuators/kube-errors.js';

const config = (server: string, contexts: { name: string; namespace?: string }[], current: string): string =>
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: c\n  cluster: {server: "${server}", insecure-skip-tls-verify: true}`,
    'users:',
    '- name: u\n  user: {token: t}',
    'contexts:',
    ...contexts.map((c) => `- name: ${c.name}\n  context: {cluster: c, user: u${c.namespace ? `, namespace: ${c.namespace}` : ''}}`),
    `current-context: ${current}`,
  ].join('\n');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metricgate-kubeconfig-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('loadKubeConfig', () => {
  it('when --kubeconfig is given then that file is used, with its current context and namespace', async () => {
    const file = join(dir, 'a');
    await writeFile(file, config('http://127.0.0.1:1', [{ name: 'dev', namespace: 'shop' }], 'dev'));
    const kc = loadKubeConfig({ kubeconfig: file, env: { KUBECONFIG: '/elsewhere' } });
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
    expect(contextNamespace(kc)).toBe('shop');
  });

  it('when --context is given then it replaces current-context', async () => {
    const file = join(dir, 'a');
    await writeFile(file, config('http://127.0.0.1:1', [{ name: 'dev' }, { name: 'prod', namespace: 'live' }], 'dev'));
    const kc = loadKubeConfig({ kubeconfig: file, context: 'prod', env: {} });
    expect(kc.getCurrentContext()).toBe('prod');
    expect(contextNamespace(kc)).toBe('live');
  });

  it('when --context names no context then a usage error lists the known ones', async () => {
    const file = join(dir, 'a');
    await writeFile(file, config('http://127.0.0.1:1', [{ name: 'dev' }, { name: 'prod' }], 'dev'));
    const error = (() => {
      try {
        loadKubeConfig({ kubeconfig: file, context: 'staging', env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as KubeConfigError).explicit).toBe(true);
    expect((error as KubeConfigError).message).toBe(`--context "staging" is not in ${file}; contexts: dev, prod`);
  });

  it('when the named file is missing then a usage error names it', () => {
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'missing'), env: {} })).toThrow(expect.objectContaining({ explicit: true, message: expect.stringContaining(`cannot load kubeconfig ${join(dir, 'missing')} (from --kubeconfig)`) }));
  });

  it('when KUBECONFIG lists several files then they are merged and the first definition of each name wins', async () => {
    await writeFile(join(dir, 'a'), config('http://127.0.0.1:1', [{ name: 'dev', namespace: 'a' }], 'dev'));
    await writeFile(join(dir, 'b'), config('http://127.0.0.1:2', [{ name: 'dev', namespace: 'b' }, { name: 'other', namespace: 'b' }], 'other'));
    const kc = loadKubeConfig({ env: { KUBECONFIG: [join(dir, 'a'), join(dir, 'b')].join(delimiter), HOME: dir } });
    expect(kc.getCurrentContext()).toBe('dev');
    expect(contextNamespace(kc)).toBe('a');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['dev', 'other']);
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
  });

  it('when KUBECONFIG lists files that do not exist then they are skipped, and none existing is not a usage error', async () => {
    await writeFile(join(dir, 'a'), config('http://127.0.0.1:1', [{ name: 'dev' }], 'dev'));
    expect(loadKubeConfig({ env: { KUBECONFIG: [join(dir, 'missing'), join(dir, 'a')].join(delimiter) } }).getCurrentContext()).toBe('dev');
    expect(() => loadKubeConfig({ env: { KUBECONFIG: join(dir, 'missing') } })).toThrow(expect.objectContaining({ explicit: false }));
  });

  it('when only ~/.kube/config exists then it is used', async () => {
    await mkdir(join(dir, '.kube'));
    await writeFile(join(dir, '.kube', 'config'), config('http://127.0.0.1:3', [{ name: 'home' }], 'home'));
    expect(loadKubeConfig({ env: { HOME: dir } }).getCurrentCluster()?.server).toBe('http://127.0.0.1:3');
  });

  it('when nothing is found then the error is not a usage error and names where it looked', () => {
    expect(() => loadKubeConfig({ env: { HOME: dir } })).toThrow(expect.objectContaining({ explicit: false, message: expect.stringContaining(join(dir, '.kube', 'config')) }));
  });

  it('when running in a pod then the service account is used ahead of KUBECONFIG', async () => {
    const sa = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    await mkdir(sa, { recursive: true });
    await writeFile(join(sa, 'token'), 'pod-token');
    await writeFile(join(sa, 'namespace'), 'metricgate');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.0.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const kc = loadKubeConfig({ rootDir: dir, env: { ...process.env, KUBECONFIG: join(dir, 'ignored') } });
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:443');
    expect(contextNamespace(kc)).toBe('metricgate');
  });
});

describe('fromOptions', () => {
  it('when the server is plain HTTP then TLS verification is off (client-node refuses HTTP otherwise)', () => {
    const kc = fromOptions({ server: 'http://127.0.0.1:9', token: 't', namespace: 'ns' });
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'http://127.0.0.1:9', skipTLSVerify: true });
    expect(kc.getCurrentUser()?.token).toBe('t');
    expect(contextNamespace(kc)).toBe('ns');
    expect(fromOptions({ server: 'https://k8s.example:6443' }).getCurrentCluster()?.skipTLSVerify).toBe(false);
  });
});
