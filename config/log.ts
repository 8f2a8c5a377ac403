// The one pino configuration for bpfdiff's service processes: JSON lines, level from LOG_LEVEL,
// secrets redacted wherever they might ride along (auth headers, tokens, Redis passwords).
import { pino, type Logger, type LoggerOptions } from 'pino';
import { logLevelOf } from './settings.ts';

export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'token',
  'apiToken',
  'config.apiToken',
  'redisUrl',
  'config.redisUrl',
];

export function loggerOptions(name: string): LoggerOptions {
  return {
    name,
    level: logLevelOf(process.env),
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
  };
}

export function createLogger(name: string, destination?: NodeJS.WritableStream): Logger {
  return destination ? pino(loggerOptions(name), destination) : pino(loggerOptions(name));
}
