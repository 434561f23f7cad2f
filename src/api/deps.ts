/**
 * @module api/deps
 * What the API needs from the rest of the service, as ports, so tests can pass in-memory parts.
 */
import type { RunStore, TemplateStore } from '../engine/index.js';
import type { RunService } from '../queue/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { ServiceMetrics } from '../telemetry/metrics.js';

/** What the routes need; all ports, so tests can pass in-memory parts. */
export interface AppDeps {
  readonly runs: RunService;
  readonly store: RunStore;
  readonly templates: TemplateStore;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Readiness: each named check resolves true when healthy. */
  readonly readiness: Readonly<Record<string, () => Promise<boolean>>>;
  /** Job counts by state, sampled when /metrics is scraped. */
  readonly queueCounts?: () => Promise<Record<string, number>>;
}

export interface AppOptions {
  /** Accepted bearer tokens. Required unless `insecureDev`. */
  readonly tokens: readonly string[];
  /** Disables auth (local development only; the server logs a warning). @defaultValue false */
  readonly insecureDev?: boolean;
  /** Largest accepted request body, bytes. @defaultValue 1048576 */
  readonly bodyLimitBytes?: number;
  /** Write requests allowed per client per minute. @defaultValue 300 */
  readonly writeRateLimitPerMinute?: number;
  /** Longest the web-metric endpoint waits for a verdict before answering Running, ms. @defaultValue 8000 */
  readonly verdictMaxWaitMs?: number;
}

