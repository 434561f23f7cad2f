/**
 * @module actuators/kube-errors
 * Kubernetes API failures as typed data. Callers of {@link KubeObjects} branch on the class (a 409
 * means re-read and re-decide, a 404 may mean "fall back to the main resource") and on a stable
 * `code`, never on a client library's exception shape or message text, so swapping the client
 * changes nothing above the port.
 */

/**
 * Stable failure codes. The first group mirrors the `reason` of a Kubernetes `Status`; the last
 * three have no HTTP answer behind them.
 */
export type KubeErrorCode =
  | 'NotFound'
  | 'Conflict'
  | 'AlreadyExists'
  | 'Gone'
  | 'Invalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'UnsupportedMediaType'
  | 'Server'
  /** No HTTP answer: refused, reset, DNS failure, TLS failure or timeout. */
  | 'Unreachable'
  /** The kubeconfig could not be found, read or used. */
  | 'Config'
  /** The server answered something that is not what the API promises. */
  | 'Protocol';

/** The serializable part of a {@link KubeError}, for storing on a run or printing as JSON. */
export interface KubeErrorData {
  readonly code: KubeErrorCode;
  /** HTTP status; 0 when no answer was received. */
  readonly status: number;
  /** The `reason` of the server's Status body, when it sent one (e.g. `Conflict`, `Expired`). */
  readonly reason?: string;
  /** What failed, on which object, and what the server said. */
  readonly message: string;
  /** The object or collection addressed, e.g. `rollouts.argoproj.io prod/checkout (status)`. */
  readonly target: string;
}

/** Any failure of a Kubernetes call; subclasses mark the outcomes callers act on. */
export class KubeError extends Error {
  readonly code: KubeErrorCode;
  readonly status: number;
  readonly reason: string | undefined;
  readonly target: string;

  constructor(data: KubeErrorData, options?: { cause?: unknown }) {
    super(data.message, options);
    this.name = 'KubeError';
    this.code = data.code;
    this.status = data.status;
    this.reason = data.reason;
    this.target = data.target;
  }

  /** Plain data without the stack, for results stored on a run. */
  toJSON(): KubeErrorData {
    return {
      code: this.code,
      status: this.status,
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      message: this.message,
      target: this.target,
    };
  }
}

/** 404: the object (or the subresource route) does not exist. */
export class NotFoundError extends KubeError {
  constructor(data: Omit<KubeErrorData, 'code' | 'status'>, options?: { cause?: unknown }) {
    super({ ...data, code: 'NotFound', status: 404 }, options);
    this.name = 'NotFoundError';
  }
}

/** 409 Conflict: a resourceVersion precondition failed; re-read and re-decide. */
export class ConflictError extends KubeError {
  constructor(data: Omit<KubeErrorData, 'code' | 'status'>, options?: { cause?: unknown }) {
    super({ ...data, code: 'Conflict', status: 409 }, options);
    this.name = 'ConflictError';
  }
}

/** 409 AlreadyExists: a create found an object with that name. */
export class AlreadyExistsError extends KubeError {
  constructor(data: Omit<KubeErrorData, 'code' | 'status'>, options?: { cause?: unknown }) {
    super({ ...data, code: 'AlreadyExists', status: 409 }, options);
    this.name = 'AlreadyExistsError';
  }
}

/**
 * 410 Gone / `Expired`: a watch asked for a resourceVersion older than the server still holds.
 * The watcher must re-list and watch from the list's resourceVersion.
 */
export class GoneError extends KubeError {
  constructor(data: Omit<KubeErrorData, 'code' | 'status'>, options?: { cause?: unknown }) {
    super({ ...data, code: 'Gone', status: 410 }, options);
    this.name = 'GoneError';
  }
}

/** No answer from the API server (refused, reset, timed out, DNS or TLS failure). */
export class UnreachableError extends KubeError {
  constructor(data: Omit<KubeErrorData, 'code' | 'status'>, options?: { cause?: unknown }) {
    super({ ...data, code: 'Unreachable', status: 0 }, options);
    this.name = 'UnreachableError';
  }
}

/** The kubeconfig could not be found, parsed or used (unknown context, missing file). */
export class KubeConfigError extends KubeError {
  /** True when the user named the file or context explicitly (a usage error, not a missing dependency). */
  readonly explicit: boolean;

  constructor(message: string, explicit: boolean, options?: { cause?: unknown }) {
    super({ code: 'Config', status: 0, message, target: 'kubeconfig' }, options);
    this.name = 'KubeConfigError';
    this.explicit = explicit;
  }
}
