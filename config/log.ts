// The one pino configuration for bpfdiff's service processes: level from LOG_LEVEL, secrets
// redacted wherever they might ride along (auth headers, tokens, Redis passwords). On a
// terminal the lines are pino-pretty's readable form; JSON lines otherwise (a pipe, a file,
// a log collector) or with LOG_FORMAT=json.
import { pino, type Logger, type LoggerOptions } from 'pino';
import { logLevelOf } from './settings.ts';
import pretty from 'pino-pretty';

const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'token',
  'apiToken',
  'config.apiToken',
  'redisUrl',
  'config.redisUrl',
];

type LogFormat = 'pretty' | 'json';

function loggerOptions(name: string): LoggerOptions {
  return {
    name,
    level: logLevelOf(process.env),
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
  };
}

/** LOG_FORMAT=json|pretty when set, else pretty on a terminal and JSON anywhere else. */
export function logFormat(destination: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return (destination as { isTTY?: boolean }).isTTY === true ? 'pretty' : 'json';
}

/**
 * A logger writing to `destination` (default stderr). `terminal`, when given, is where the
 * pretty lines go instead (a stream that keeps a status line below them); whether the output is
 * a terminal is still judged by `destination`.
 */
export function createLogger(name: string, destination: NodeJS.WritableStream = process.stderr, terminal?: NodeJS.WritableStream): Logger {
  if (logFormat(destination) === 'json') return pino(loggerOptions(name), destination);
  const colorize = (destination as { isTTY?: boolean }).isTTY === true && process.env.NO_COLOR === undefined;
  const stream = pretty({ destination: terminal ?? destination, colorize, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
  return pino(loggerOptions(name), stream);
}
