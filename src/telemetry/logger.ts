/**
 * @module telemetry/logger
 * pino JSON logs. Every line about a run carries `run` (uid) and, where relevant, `metric`, so a
 * run's story can be grepped out of a busy worker. Credentials are redacted by path, and secret
 * arg values by content (they can turn up inside messages).
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths pino censors wherever they appear in a log object. */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-metricgate-signature"]',
  'headers.authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'appKey',
  '*.appKey',
  'secret',
  '*.secret',
];

export interface LoggerConfig {
  /** pino level. @defaultValue 'info' */
  readonly level?: string;
  /** Write to this stream instead of stdout (tests). */
  readonly destination?: { write(msg: string): void };
}

/** The process logger. */
export function createLogger(config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: 'metricgate' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

/** A logger that drops everything (library use, CLI one-shot runs). */
export const silentLogger: Logger = pino({ level: 'silent' });
