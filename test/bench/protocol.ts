/**
 * @module bench/protocol
 * Messages between the benchmark and the worker / load-generator processes it forks. Those run
 * in their own processes so their memory is measured alone and their CPU is not the harness's;
 * these guards keep both sides honest about what crosses the IPC channel.
 */

/** Worker child → parent. */
export type WorkerChildMessage =
  | { readonly type: 'ready'; readonly rss: number }
  | { readonly type: 'progress'; readonly completed: number; readonly rss: number }
  | {
      readonly type: 'final';
      readonly completed: number;
      readonly rssAtReady: number;
      readonly peakRss: number;
      readonly peakHeapUsed: number;
      /** CPU used by the process from ready to stop, seconds (user + system). */
      readonly cpuSeconds: number;
      /** Event-loop delay from ready to stop, ms: a stall here is lateness for every job. */
      readonly loopDelay: { readonly p50: number; readonly p99: number; readonly max: number };
      /** Baseline mode only: processing start − dueAt per job, ms. */
      readonly lateness: readonly number[];
      readonly outcomes: Readonly<Record<string, number>>;
    };

/** Parent → worker child. */
export interface StopMessage {
  readonly type: 'stop';
}

export function isWorkerChildMessage(m: unknown): m is WorkerChildMessage {
  return typeof m === 'object' && m !== null && 'type' in m && typeof (m as { type: unknown }).type === 'string';
}

export function isStop(m: unknown): m is StopMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'stop';
}

/** One phase of closed-loop HTTP load. */
export interface LoadPhase {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** JSON body sent with every request. */
  readonly body?: unknown;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface LoadConfig {
  readonly url: string;
  readonly token: string;
  readonly concurrency: number;
  readonly phases: readonly LoadPhase[];
}

export interface LoadPhaseResult {
  readonly type: 'phase';
  readonly name: string;
  /** Latency of every request completed in the measured window, ms. */
  readonly latencies: readonly number[];
  readonly statuses: Readonly<Record<string, number>>;
  readonly seconds: number;
}

export function isLoadPhaseResult(m: unknown): m is LoadPhaseResult {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'phase';
}
