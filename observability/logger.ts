import pino, { type Logger } from 'pino';

/**
 * Personal data never reaches the logs (R7), and neither do API keys. These paths cover request
 * logs (headers, bodies) and the case documents that services log as context.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'apiKey',
  '*.apiKey',
  '*.debtor.name',
  '*.debtor.email',
  '*.debtor.phone',
  '*.debtor.address',
  '*.debtor.legalId',
  'debtor.name',
  'debtor.email',
  'debtor.phone',
  'debtor.address',
  'debtor.legalId',
  '*.email',
  '*.phone',
  '*.to',
];

export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

export type { Logger };
