/**
 * @module triggers/controller
 * Runs the triggers of one process: under a Lease when several replicas run (only the leader
 * watches), or directly. The context hands triggers the run service's submit/terminate and a
 * view of running runs by target; nothing else.
 */
import type { KubeObjects } from '../actuators/index.js';
import type { RunStore, TemplateStore } from '../engine/index.js';
import { uidFromKey, type RunService } from '../queue/index.js';
import type { Logger } from '../telemetry/logger.js';
import { LeaderElector } from './leader.js';
import { RolloutStepTrigger } from './rollout-step.js';
import type { Trigger, TriggerContext } from './trigger.js';

export interface ControllerOptions {
  readonly kube: KubeObjects;
  readonly service: RunService;
  readonly store: RunStore;
  readonly templates?: TemplateStore;
  readonly logger: Logger;
  /** Namespaces to watch; empty means all. */
  readonly namespaces?: readonly string[];
  /** Elect a leader through this Lease; omitted means this process always watches. */
  readonly leader?: { readonly namespace: string; readonly identity: string; readonly name?: string; readonly leaseDurationSeconds?: number };
}

/** Builds the trigger context over the run service and store. */
export function triggerContext(service: RunService, store: RunStore, logger: Logger): TriggerContext {
  return {
    submit: (request) => service.submit(request, 'rollout-step'),
    terminate: async (uid, reason) => {
      await service.terminate(uid, reason);
    },
    exists: async (key) => (await store.get(uidFromKey(key))) !== undefined,
    runningFor: async (target) => (await store.list({ phase: 'Running', target, limit: 500 })).items,
    logger,
  };
}

/** Starts the controller; resolves to a stop function. */
export async function startController(options: ControllerOptions): Promise<() => Promise<void>> {
  const logger = options.logger.child({ component: 'controller' });
  const trigger: Trigger = new RolloutStepTrigger(options.kube, { namespaces: options.namespaces, templates: options.templates });
  const ctx = triggerContext(options.service, options.store, logger);
  let stopTrigger: (() => Promise<void>) | undefined;
  const begin = (): void => {
    void trigger.start(ctx).then((stop) => {
      stopTrigger = stop;
      logger.info({ namespaces: options.namespaces?.length ? options.namespaces : '(all)' }, 'watching rollouts');
    });
  };
  const end = (): void => {
    const stop = stopTrigger;
    stopTrigger = undefined;
    void stop?.();
  };
  if (!options.leader) {
    begin();
    return async () => end();
  }
  const elector = new LeaderElector(options.kube, options.leader, logger);
  elector.run(begin, end);
  return async () => {
    elector.stop();
    end();
  };
}
