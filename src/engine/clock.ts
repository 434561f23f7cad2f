/**
 * @module engine/clock
 * Time as a port. The engine never reads Date.now(): a system clock drives live runs, a virtual
 * clock replays history (`metricgate run --at`) and makes tests exact without waiting.
 */

export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
  /** Resolves once `now() >= at` (immediately for a virtual clock, which jumps there). */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: (at, signal) =>
    new Promise<void>((resolve) => {
      const delay = at - Date.now();
      if (delay <= 0 || signal?.aborted) return resolve();
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A clock that only moves when asked to; sleeping jumps straight to the wake time. */
export class VirtualClock implements Clock {
  private current: number;

  /** @param start epoch ms the clock starts at */
  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  async sleepUntil(at: number): Promise<void> {
    if (at > this.current) this.current = at;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }
}

/** RFC 3339 with milliseconds, the format every timestamp in a run uses. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses a timestamp written by {@link iso} (or any RFC 3339 string); NaN if invalid. */
export function parseIso(text: string | undefined): number {
  return text === undefined ? Number.NaN : Date.parse(text);
}

/**
 * Replays history: jumps instantly while the requested time is in the past, then follows the
 * wall clock once it catches up with the present, so a backtest that reaches "now" simply
 * continues live instead of querying the future.
 */
export class ReplayClock implements Clock {
  private current: number;
  private live = false;

  /** @param start epoch ms the replay starts at */
  constructor(
    start: number,
    private readonly wall: Clock = systemClock,
  ) {
    this.current = start;
  }

  now(): number {
    return this.live ? this.wall.now() : this.current;
  }

  async sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (this.live || at > this.wall.now()) {
      this.live = true;
      await this.wall.sleepUntil(at, signal);
      return;
    }
    if (at > this.current) this.current = at;
  }
}
