/**
 * @module providers/datadog/window
 * The data window a Datadog query covers. Argo computes it as whole seconds — `now` truncated to
 * a Unix second, `interval` truncated to whole seconds — and sends seconds to v1 and the same
 * instants as milliseconds to v2. Computed from the measurement's time (`MeasureContext.at`, the
 * virtual clock when replaying), never from the wall clock.
 */
import { parseDuration } from '../../model/index.js';
import { DEFAULT_INTERVAL } from './config.js';

/** `[from, to]` in Unix seconds; v2 sends each × 1000. */
export interface QueryWindow {
  readonly fromSeconds: number;
  readonly toSeconds: number;
}

/**
 * The window ending at `at`.
 * @param at - measurement time, epoch ms
 * @param interval - Go duration of the window (the provider's `interval`), default 5m
 */
export function queryWindow(at: number, interval: string = DEFAULT_INTERVAL): QueryWindow {
  const toSeconds = Math.floor(at / 1000);
  const spanSeconds = Math.floor((parseDuration(interval) ?? 0) / 1000);
  return { fromSeconds: toSeconds - spanSeconds, toSeconds };
}
