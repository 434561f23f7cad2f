/**
 * @module actuators/kube-sources
 * What runs read from the cluster besides the Rollout: Secret values for `secretKeyRef` args (in
 * the run's namespace, as Argo does) and AnalysisTemplates / ClusterAnalysisTemplates named by
 * a Rollout. Values are decoded here and never logged.
 */
import { loadObject, type AnalysisTemplate, type ArgSources, type SecretKeyRef } from '../model/index.js';
import { RESOURCES, type KubeObjects } from './kube.js';

/** `valueFrom.secretKeyRef` resolved from Kubernetes Secrets in the run's namespace. */
export function kubeSecretSource(kube: KubeObjects, defaultNamespace = 'default'): Required<Pick<ArgSources, 'secret'>> {
  return {
    secret: async (ref: SecretKeyRef, namespace?: string) => {
      const ns = namespace ?? defaultNamespace;
      const secret = await kube.get(RESOURCES.secrets, ref.name, { namespace: ns });
      if (!secret) throw new Error(`secret ${ns}/${ref.name} not found`);
      const data = (secret['data'] ?? {}) as Record<string, unknown>;
      const encoded = data[ref.key];
      if (typeof encoded !== 'string') throw new Error(`key '${ref.key}' does not exist in secret '${ref.name}' (namespace ${ns})`);
      return Buffer.from(encoded, 'base64').toString('utf8');
    },
  };
}

/**
 * Reads an AnalysisTemplate from `namespace` or a ClusterAnalysisTemplate; undefined when absent.
 * An object that does not validate is reported as an Error with the first problem.
 */
export async function readKubeTemplate(kube: KubeObjects, name: string, options: { namespace: string; clusterScope?: boolean }): Promise<AnalysisTemplate | undefined> {
  const object = options.clusterScope
    ? await kube.get(RESOURCES.clusterAnalysisTemplates, name)
    : await kube.get(RESOURCES.analysisTemplates, name, { namespace: options.namespace });
  if (!object) return undefined;
  const { metadata, ...rest } = object;
  // Server-owned metadata (managedFields, uid, …) is not part of the template.
  const loaded = loadObject({ ...rest, metadata: { name: metadata?.name, namespace: metadata?.namespace, labels: metadata?.labels, annotations: metadata?.annotations } }, `${options.clusterScope ? 'ClusterAnalysisTemplate' : `AnalysisTemplate ${options.namespace}`}/${name}`);
  const doc = loaded.documents[0]?.object;
  if (!doc || doc.kind === 'AnalysisRun') {
    const first = loaded.issues[0];
    throw new Error(`template ${name} is invalid: ${first ? `${first.path}: ${first.message}` : 'not an analysis template'}`);
  }
  return doc;
}
