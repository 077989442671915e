import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../observability/logger';

const TO_SDK: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};
const FROM_SDK = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's own logs (worker state, workflow and activity logs) as one JSON stream with ours. */
export function sdkLoggerFor(logger: Logger): DefaultLogger {
  return new DefaultLogger(TO_SDK[logger.level] ?? 'INFO', ({ level, message, meta }) => {
    logger[FROM_SDK[level]]({ sdk: true, ...meta }, message);
  });
}
