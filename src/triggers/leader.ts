/**
 * @module triggers/leader
 * Leader election on a `coordination.k8s.io/v1` Lease, as controllers do (client-go's
 * leaderelection): only the holder runs the watchers, so a hundred replicas do not all start
 * the same runs. Deterministic run ids make a brief double-leader harmless anyway; the lease
 * only saves work.
 */
import { AlreadyExistsError, ConflictError, RESOURCES, type KubeObject, type KubeObjects } from '../actuators/index.js';
import type { Logger } from '../telemetry/logger.js';

export interface LeaderOptions {
  readonly namespace: string;
  /** @defaultValue 'metricgate-controller' */
  readonly name?: string;
  /** This replica, e.g. the pod name. */
  readonly identity: string;
  /** How long a lease stays valid without renewal, seconds. @defaultValue 15 */
  readonly leaseDurationSeconds?: number;
  /** Renewal period, ms. @defaultValue a third of the lease duration */
  readonly renewMs?: number;
  readonly now?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  private timer?: NodeJS.Timeout;
  private leading = false;
  private readonly name: string;
  private readonly duration: number;

  constructor(
    private readonly kube: KubeObjects,
    private readonly options: LeaderOptions,
    private readonly logger: Logger,
  ) {
    this.name = options.name ?? 'metricgate-controller';
    this.duration = options.leaseDurationSeconds ?? 15;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries to take or renew the lease once; resolves to whether this replica leads. */
  async tryAcquire(): Promise<boolean> {
    const now = this.options.now?.() ?? Date.now();
    const ns = this.options.namespace;
    const me = this.options.identity;
    try {
      const lease = await this.kube.get(RESOURCES.leases, this.name, { namespace: ns });
      if (!lease) {
        await this.kube.create(RESOURCES.leases, this.leaseObject({ holderIdentity: me, leaseDurationSeconds: this.duration, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 }), { namespace: ns });
        return true;
      }
      const spec = (lease['spec'] ?? {}) as LeaseSpec;
      const renewed = Date.parse(spec.renewTime ?? '') || 0;
      const expired = renewed + (spec.leaseDurationSeconds ?? this.duration) * 1000 < now;
      if (spec.holderIdentity !== me && !expired) return false;
      const taking = spec.holderIdentity !== me;
      await this.kube.replace(
        RESOURCES.leases,
        {
          ...this.leaseObject({
            holderIdentity: me,
            leaseDurationSeconds: this.duration,
            acquireTime: taking ? microTime(now) : spec.acquireTime,
            renewTime: microTime(now),
            leaseTransitions: (spec.leaseTransitions ?? 0) + (taking ? 1 : 0),
          }),
          metadata: { ...lease.metadata, name: this.name, namespace: ns },
        },
        { namespace: ns },
      );
      return true;
    } catch (err) {
      // Someone else wrote first: they lead this round.
      if (err instanceof ConflictError || err instanceof AlreadyExistsError) return false;
      this.logger.warn({ err: (err as Error).message }, 'leader election: cannot read or write the lease');
      return false;
    }
  }

  private leaseObject(spec: LeaseSpec): KubeObject {
    return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.options.namespace }, spec };
  }

  /** Keeps trying; calls `onLead` when leadership is gained and `onLose` when it is lost. */
  run(onLead: () => void, onLose: () => void): void {
    const tick = async (): Promise<void> => {
      const leads = await this.tryAcquire();
      if (leads && !this.leading) {
        this.leading = true;
        this.logger.info({ identity: this.options.identity, lease: `${this.options.namespace}/${this.name}` }, 'became leader');
        onLead();
      } else if (!leads && this.leading) {
        this.leading = false;
        this.logger.warn({ identity: this.options.identity }, 'lost leadership');
        onLose();
      }
    };
    const every = this.options.renewMs ?? Math.floor((this.duration * 1000) / 3);
    void tick();
    this.timer = setInterval(() => void tick(), every);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.leading = false;
  }
}
