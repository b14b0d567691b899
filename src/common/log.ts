// Structured logging for every Ferry process: one JSON object per line on
// stderr (pino), with the ids that matter bound as fields by child loggers.
// Never log secrets: principals yes, secrets and tokens no.

import { pino, type Logger } from 'pino';

export type { Logger };

export interface LogOptions {
  name: string;
  level?: string;
}

export function createLogger(options: LogOptions): Logger {
  const level = options.level ?? process.env['FERRY_LOG_LEVEL'] ?? 'info';
  return pino({ name: options.name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything: for tests and library users who bring none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
